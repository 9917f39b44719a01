"""Tests for scripts/bench_scale.py: the synthetic consultation it writes (the stages it times are tested elsewhere)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"
sys.path.insert(0, str(SCRIPTS))

import bench_scale  # noqa: E402


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    return folder, bench_scale.build(folder, 600, 10, seed=1)


def test_it_writes_n_answers_from_many_organisations_in_mixed_formats(written):
    folder, info = written
    assert info["answers"] == 600 and info["organisations"] == 10
    assert set(info["files_by_format"]) == {"csv", "xlsx", "docx", "txt", "md"}
    with (folder / "returns.csv").open(encoding="utf-8") as fh:
        manifest = list(csv.DictReader(fh))
    assert len(manifest) == 10 and all((folder / row["file"]).exists() for row in manifest)
    assert len({row["organisation"] for row in manifest}) == 10
    assert (folder / "edi" / "population.csv").exists()


def test_answers_are_unique_apart_from_the_planted_duplicates():
    import random

    maker = bench_scale.AnswerMaker(random.Random(3), bench_scale._training_bank(), duplicate_rate=0.0)
    answers = [a for row in bench_scale._participants(maker, 900) for a in row]
    assert len(answers) == 900
    assert len({a.lower() for a in answers}) == 900


def test_organisation_sizes_are_uneven_and_add_up():
    import random

    sizes = bench_scale._org_sizes(random.Random(0), 10000, 20)
    assert sum(sizes) == 10000 and min(sizes) >= 3 and max(sizes) > 3 * min(sizes)
