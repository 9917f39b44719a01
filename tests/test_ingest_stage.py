"""Tests for the ingest stage's DataFrame steps: ids, pseudonyms, blanks, language, duplicates, ledger."""

import pandas as pd
import pytest

from pipeline import config
from pipeline.ingest.dedupe import dedupe_answers, find_duplicate_files
from pipeline.ingest.language import detect_language
from pipeline.ingest.ledger import FILE_COLUMNS, LedgerError, build_ledger, reconcile
from pipeline.ingest.schema import LEDGER_COLUMNS, RESPONSES, TableError, validate
from pipeline.ingest.stage import (
    BLANK_REASON,
    ITEM_COLUMNS,
    is_blank,
    participant_ref,
    process_items,
    response_id,
)

VOCAB = config.load_yaml("vocabularies.yaml")
SETTINGS = config.settings()
REDACTION = config.load_yaml("redaction.yaml")


def _items(rows, source_file="org/a.docx", sha="a" * 64, duplicate_of=""):
    base = {
        "source_file": source_file, "file_sha256": sha, "format": "docx", "duplicate_of": duplicate_of,
        "organisation": "Org A", "manifest_cohort": "prison", "manifest_area": "Gwent",
        "engagement_method": "focus_group", "question_label": "Q1", "question": "listened",
        "participant_key": "P1", "speaker": "participant", "cohort": "", "area": "", "note": "",
        "question_confidence": 1.0, "ocr_confidence": "", "kind": "item", "cells": 1,
    }
    out = [{**base, "source_location": f"paragraph={i + 1}", "order": i, **row} for i, row in enumerate(rows)]
    return pd.DataFrame(out, columns=ITEM_COLUMNS)


def test_ids_are_stable_and_pseudonyms_hide_the_raw_key():
    assert response_id("abc", "paragraph=3", "participant") == response_id("abc", "paragraph=3", "participant")
    assert response_id("abc", "paragraph=3", "participant") != response_id("abd", "paragraph=3", "participant")
    ref = participant_ref("Org A", "a.docx", "Jordan Smith", "salt")
    assert ref.startswith("P-") and "Jordan" not in ref
    assert participant_ref("Org A", "a.docx", "", "salt").startswith("G-")
    assert ref != participant_ref("Org A", "a.docx", "Jordan Smith", "other salt")


@pytest.mark.parametrize("text", ["", "  ", "N/A", "n/a.", "Dim sylw", "-", "No comment", "Nothing to add"])
def test_blank_answers(text):
    blanks = SETTINGS["ingest"]["blank_answers"] + SETTINGS["ingest_layout"]["more_blank_answers"]
    assert is_blank(text, blanks, 2)


def test_real_short_answers_are_not_blank():
    blanks = SETTINGS["ingest"]["blank_answers"]
    for text in ["No", "Yes", "Ydw", "Not really"]:
        assert not is_blank(text, blanks, 2)


def test_language_detection():
    assert detect_language("Dydyn nhw ddim yn gwrando arnon ni o gwbl") == "cy"
    assert detect_language("They never listen to us") == "en"
    assert detect_language("No") == "en"  # ambiguous short words stay English
    assert detect_language("Ydw.") == "cy"
    assert detect_language("\u041e\u043d\u0438 \u043d\u0435 \u0441\u043b\u0443\u0448\u0430\u044e\u0442") == "other"


def test_process_items_rejects_blanks_redacts_and_keeps_cohort_from_sheet():
    items = _items([
        {"text": "Ring me on 07700 900123, they never listen."},
        {"text": "N/A"},
        {"text": "Date: 3 March", "note": "a title, not an answer"},
        {"text": "Stop and search is everywhere.", "cohort": "Youth justice", "participant_key": "P2"},
    ])
    before = items.copy()
    out = process_items(items, VOCAB, SETTINGS, REDACTION, use_ner=False)
    pd.testing.assert_frame_equal(items, before)
    assert len(out.responses) == 2
    assert out.responses["text"].iloc[0] == "Ring me on [PHONE], they never listen."
    assert out.responses["cohort"].tolist() == ["prison", "youth_justice"]
    assert out.rejected["reason"].tolist() == [BLANK_REASON, "a title, not an answer"]
    assert out.redactions == {"PHONE": 1}
    validate(out.responses, RESPONSES)


def test_exact_and_near_duplicate_answers_kept_once_within_an_organisation():
    long = "Officers should be trained by people from our own communities, not online."
    items = _items([
        {"text": long},
        {"text": long, "participant_key": "P2"},
        {"text": long.replace("trained", "trianed"), "participant_key": "P3"},
        {"text": "No", "participant_key": "P4"},
        {"text": "No", "participant_key": "P5"},
    ])
    other_org = _items([{"text": long}], source_file="org/b.docx", sha="b" * 64).assign(organisation="Org B")
    out = process_items(pd.concat([items, other_org], ignore_index=True), VOCAB, SETTINGS, REDACTION, use_ner=False)
    assert len(out.responses) == 4  # long once per organisation + both short "No" answers
    kinds = out.duplicates["kind"].tolist()
    assert kinds == ["exact_answer", "near_answer"]
    assert out.duplicates["similarity"].iloc[1] >= SETTINGS["ingest"]["near_duplicate_ratio"]
    assert set(out.duplicates["response_id_kept"]) == {out.responses["response_id"].iloc[0]}


def test_file_sent_twice_counts_as_duplicates():
    assert find_duplicate_files({"b.csv": "x", "a.csv": "x", "c.csv": "y"}) == {"b.csv": "a.csv"}
    original = _items([{"text": "They never came to us."}, {"text": ""}], source_file="a.csv", sha="c" * 64)
    copy = _items([{"text": "They never came to us."}, {"text": ""}], source_file="b.csv", sha="c" * 64,
                  duplicate_of="a.csv")
    out = process_items(pd.concat([original, copy], ignore_index=True), VOCAB, SETTINGS, REDACTION, use_ner=False)
    assert out.responses["source_file"].tolist() == ["a.csv"]
    dups = out.duplicates
    assert dups["kind"].tolist() == ["exact_file", "exact_file"]
    assert dups["response_id_kept"].tolist() == [out.responses["response_id"].iloc[0], ""]


def test_dedupe_answers_ignores_short_answers():
    df = pd.DataFrame({"response_id": ["R1", "R2"], "organisation": ["O", "O"], "source_file": ["f", "f"],
                       "source_location": ["l1", "l2"], "text": ["Not really", "Not really"]})
    kept, dups = dedupe_answers(df, 95, 30)
    assert len(kept) == 2 and dups.empty


def _files(rows):
    return pd.DataFrame([{c: "" for c in FILE_COLUMNS} | {"rows_read": 0, "n_unknown_question": 0} | r for r in rows],
                        columns=FILE_COLUMNS)


def test_ledger_reconciles_and_lists_rejected_items():
    files = _files([
        {"source_file": "a.docx", "format": "docx", "read_status": "read", "rows_read": 3},
        {"source_file": "bad.docx", "format": "docx", "read_status": "error", "reason": "bad.docx looks corrupt"},
        {"source_file": "gone.docx", "format": "docx", "read_status": "missing", "reason": "not on disk"},
    ])
    responses = pd.DataFrame({"source_file": ["a.docx", "a.docx"]})
    rejected = pd.DataFrame({"source_file": ["a.docx"], "source_location": ["paragraph=9"], "reason": [BLANK_REASON]})
    dups = pd.DataFrame(columns=["duplicate_source_file"])
    ledger = build_ledger(files, responses, rejected, dups)
    assert list(ledger.columns) == LEDGER_COLUMNS
    assert ledger["status"].tolist() == ["partly accepted", "rejected", "rejected", "missing"]
    assert ledger["reason"].iloc[1] == f"{BLANK_REASON} (paragraph=9)"
    assert ledger.iloc[2]["reason"] == "bad.docx looks corrupt"


def test_ledger_that_does_not_add_up_raises():
    files = _files([{"source_file": "a.docx", "format": "docx", "read_status": "read", "rows_read": 5}])
    with pytest.raises(LedgerError, match="does not reconcile"):
        build_ledger(files, pd.DataFrame({"source_file": ["a.docx"]}), pd.DataFrame(columns=["source_file"]),
                     pd.DataFrame(columns=["duplicate_source_file"]))
    ok = pd.DataFrame([{"file": "x", "rows_read": 2, "rows_accepted": 1, "rows_rejected": 0, "rows_duplicate": 1}])
    reconcile(ok)


def test_schema_errors_are_readable():
    bad = pd.DataFrame({c: ["x"] for c in RESPONSES.columns}).assign(n_redactions=[0])
    with pytest.raises(TableError, match="responses table") as info:
        validate(bad, RESPONSES)
    assert "column 'question'" in str(info.value)


def _exhaustive(texts, orgs, ratio, min_chars):
    """The plain search the indexed one must equal: each answer against every kept answer of its organisation."""
    from rapidfuzz import fuzz

    from pipeline.vocab import normalise_label

    norm = [normalise_label(t) for t in texts]
    kept: dict[str, list[int]] = {}
    seen: dict[tuple[str, str], int] = {}
    out = []
    for i, t in enumerate(norm):
        if len(t) < min_chars:
            continue
        if (orgs[i], t) in seen:
            out.append((i, seen[(orgs[i], t)], "exact_answer"))
            continue
        best, score = None, 0.0
        for j in kept.get(orgs[i], []):
            s = fuzz.ratio(norm[j], t)
            if s >= ratio and s > score:
                best, score = j, s
        if best is not None:
            out.append((i, best, "near_answer"))
            continue
        seen[(orgs[i], t)] = i
        kept.setdefault(orgs[i], []).append(i)
    return out


@pytest.mark.parametrize("ratio", [95, 90, 80])
def test_indexed_near_duplicate_search_finds_exactly_what_the_exhaustive_one_finds(ratio):
    import random

    rnd = random.Random(ratio)
    words = "the police stop us more than anyone else on our estate and nobody ever came to ask".split()
    texts: list[str] = []
    for _ in range(600):
        if texts and rnd.random() < 0.2:
            t = rnd.choice(texts)
            for _ in range(rnd.randint(1, 4)):  # typos: a near duplicate of an earlier answer
                k = rnd.randrange(len(t) - 1)
                t = t[:k] + rnd.choice("abcdefg ") + t[k + 1:]
            texts.append(t)
        else:
            texts.append(" ".join(rnd.choice(words) for _ in range(rnd.randint(3, 25))))
    orgs = [f"O{i % 3}" for i in range(len(texts))]
    df = pd.DataFrame({"response_id": [f"R{i}" for i in range(len(texts))], "organisation": orgs,
                       "source_file": "f", "source_location": [f"row={i}" for i in range(len(texts))], "text": texts})
    kept, dups = dedupe_answers(df, ratio, 30)
    expected = _exhaustive(texts, orgs, ratio, 30)
    assert len(expected) > 20
    got = [(int(r.split("=")[1]), int(k[1:]), kind) for r, k, kind in
           zip(dups["duplicate_source_location"], dups["response_id_kept"], dups["kind"], strict=True)]
    assert got == expected
    assert len(kept) == len(df) - len(expected)


def test_batch_language_detection_matches_one_by_one():
    from pipeline.ingest.language import detect_languages

    texts = ["They never listen to us.", "Ydw.", "No", "10/10", "Dydyn nhw ddim yn gwrando.", "[NAME] said so",
             "\u041e\u043d\u0438 \u043d\u0435 \u0441\u043b\u0443\u0448\u0430\u044e\u0442", "Diolch"]
    assert detect_languages(texts) == [detect_language(t) for t in texts]


def test_metadata_items_are_counted_in_the_ledger_not_kept():
    items = _items([
        {"text": "Stop and search is everywhere.", "participant_key": "P2"},
        {"text": "", "note": "column 'Email' treated as personal metadata (email), not an answer: 2 cell(s)",
         "kind": "metadata", "cells": "2", "question_label": "Email"},
    ])
    steps = []
    out = process_items(items, VOCAB, SETTINGS, REDACTION, use_ner=False, progress=lambda s, n: steps.append((s, n)))
    assert len(out.responses) == 1 and out.metadata["cells"].tolist() == [2]
    assert [s for s, _ in steps] == ["normalise", "language", "redaction", "duplicates"]
    files = _files([{"source_file": "org/a.docx", "format": "docx", "read_status": "read", "rows_read": 3}])
    ledger = build_ledger(files, out.responses, out.rejected, out.duplicates, out.metadata)
    assert ledger["status"].tolist() == ["accepted", "metadata"]
    assert ledger["rows_metadata"].tolist() == [2, 2]
    assert ledger["reason"].iloc[1].startswith("column 'Email' treated as personal metadata")


def test_dedupe_by_organisation_in_workers_gives_what_one_pass_over_all_answers_gives(monkeypatch):
    import random

    import pipeline.ingest.stage as stage_module

    rnd = random.Random(7)
    words = "the police stop us more than anyone else on our estate and nobody ever came to ask".split()
    texts: list[str] = []
    for _ in range(400):
        if texts and rnd.random() < 0.25:
            t = rnd.choice(texts)
            k = rnd.randrange(len(t) - 1)
            texts.append(t if rnd.random() < 0.5 else t[:k] + "x" + t[k + 1:])  # exact or near duplicate
        else:
            texts.append(" ".join(rnd.choice(words) for _ in range(rnd.randint(3, 25))))
    # organisations of uneven size, their answers interleaved, so the order has to be put back
    orgs = [rnd.choice(["O1", "O1", "O1", "O2", "O2", "O3", "O4"]) for _ in texts]
    df = pd.DataFrame({"response_id": [f"R{i}" for i in range(len(texts))], "organisation": orgs,
                       "source_file": [f"{o}.csv" for o in orgs], "source_location": [f"row={i}" for i in range(len(texts))],
                       "text": texts, "other": range(len(texts))})
    expected_kept, expected_dups = dedupe_answers(df, 90, 30)
    assert len(expected_dups) > 20 and set(expected_dups["kind"]) == {"exact_answer", "near_answer"}
    monkeypatch.setattr(stage_module, "PARALLEL_DEDUPE_MIN_ROWS", 10)

    def one_organisation_at_a_time(part, *args):
        assert part["organisation"].nunique() == 1  # never the whole frame: the workers ran
        return dedupe_answers(part, *args)

    monkeypatch.setattr(stage_module, "dedupe_answers", one_organisation_at_a_time)
    kept, dups = stage_module.dedupe_by_organisation(df, 90, 30, n_jobs=2)
    pd.testing.assert_frame_equal(kept, expected_kept)
    pd.testing.assert_frame_equal(dups, expected_dups)
