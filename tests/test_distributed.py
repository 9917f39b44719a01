"""Tests for pipeline.distributed: the same tables on a Dask LocalCluster with 2 workers as locally."""

import numpy as np
import pandas as pd
import pytest

from pipeline import distributed
from pipeline.coding.codebook import parse_codebook
from pipeline.coding.segment import segment_responses


def test_without_a_scheduler_everything_runs_locally(monkeypatch):
    monkeypatch.delenv(distributed.ENV, raising=False)
    assert distributed.scheduler_address() is None
    assert distributed.active_client() is None
    monkeypatch.setenv(distributed.ENV, " tcp://10.0.0.5:8786 ")
    assert distributed.scheduler_address() == "tcp://10.0.0.5:8786"
    assert distributed.scheduler_address("tcp://other:1") == "tcp://other:1"


def test_partitions_cover_every_row_once_in_order():
    parts = distributed.partitions(10, 4)
    assert [list(range(10))[s] for s in parts] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert distributed.partitions(0, 4) == []


def test_an_unreachable_scheduler_is_a_plain_error():
    with pytest.raises(distributed.SchedulerError, match="Could not reach the Dask scheduler"):
        distributed._connect("tcp://127.0.0.1:1")


SENTENCES = ["The police stop and search my brother every week.", "We need a youth club in our village.",
             "Officers stopped us on the street for no reason.", "There is nothing for young people to do.",
             "Purple elephants dance quietly on Sundays.", "They listened to us at the meeting.",
             "The solutions should go further than training.", "Mae'r heddlu yn ein stopio o hyd."]


def _responses(n: int) -> pd.DataFrame:
    texts = [f"{SENTENCES[i % 8]} {SENTENCES[(3 * i + 1) % 8]} Answer {i}." for i in range(n)]
    return pd.DataFrame({
        "response_id": [f"R{i:04d}" for i in range(n)], "text": texts, "organisation": ["Org A", "Org B"] * (n // 2),
        "cohort": ["schools"] * n, "police_force_area": ["Gwent"] * n, "engagement_method": ["survey"] * n,
        "participant_ref": [f"P-{i}" for i in range(n)], "speaker": ["participant"] * n,
        "language": ["cy" if i % 8 == 7 else "en" for i in range(n)],
        "question": ["unknown" if i % 3 == 0 else "solutions" for i in range(n)],
    })


def _models(embedder, spec):
    from pipeline.coding.coder import CodebookCoder
    from pipeline.coding.questions import QuestionInferer
    from pipeline.coding.stance import StanceClassifier

    cb = parse_codebook(spec)
    return (CodebookCoder(cb, embedder=embedder).fit(), QuestionInferer(cb, embedder=embedder).fit(),
            StanceClassifier(embedder=embedder).fit())


@pytest.fixture(scope="module")
def cluster_client():
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        yield client


@pytest.mark.slow
def test_dask_run_gives_the_same_tables_as_the_local_run(cluster_client, monkeypatch, tmp_path, small_codebook_spec):
    from pipeline.nlp.embed import Embedder

    monkeypatch.delenv(distributed.ENV, raising=False)
    statements, _ = segment_responses(_responses(120))
    texts = statements["text"].tolist()
    local_emb = Embedder(cache_dir=tmp_path / "local", show_progress=False)
    local_vectors = local_emb.encode(texts)
    local = distributed.code_statements(statements, *_models(local_emb, small_codebook_spec))

    monkeypatch.setattr(distributed, "active_client", lambda address=None: cluster_client)
    monkeypatch.setattr(distributed, "MIN_DISTRIBUTED_TEXTS", 10)
    cluster_emb = Embedder(cache_dir=tmp_path / "cluster", show_progress=False)
    cluster_vectors = cluster_emb.encode(texts)
    assert cluster_emb.n_computed == len(set(texts))
    np.testing.assert_allclose(cluster_vectors, local_vectors, atol=1e-6)
    before = statements.copy()
    remote = distributed.code_statements(statements, *_models(cluster_emb, small_codebook_spec), client=cluster_client, partition_size=40)
    pd.testing.assert_frame_equal(statements, before)  # the input is not modified
    for mine, theirs in zip(remote, local, strict=True):
        pd.testing.assert_frame_equal(mine, theirs, check_exact=False, atol=1e-6, rtol=0)
    assert set(local[1]["code"]) >= {"A", "B"}


def test_scheduler_option_sets_the_address_but_ingest_always_runs_here(monkeypatch):
    from typer.testing import CliRunner

    from pipeline.cli import app

    monkeypatch.delenv(distributed.ENV, raising=False)
    assert CliRunner().invoke(app, ["--scheduler", "tcp://10.0.0.5:8786", "triangulate", "--help"]).exit_code == 0
    assert distributed.scheduler_address() == "tcp://10.0.0.5:8786"
    assert CliRunner().invoke(app, ["ingest", "--help"]).exit_code == 0
    assert distributed.scheduler_address() is None
