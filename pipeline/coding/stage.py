"""The coding stage as DataFrame functions: statements in, statements with question/stance and codes out.

``segment -> code_statements -> summarise`` is what ``python -m pipeline code`` runs
(:mod:`pipeline.coding.cli` reads and writes the files). Analyst decisions (from the review sheet,
kept in ``analyst_codes.csv``) override the model for the statements they cover: those get
``source = analyst`` and ``reviewed = True``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.coding.codebook import UNCODED
from pipeline.coding.coder import parse_labels
from pipeline.coding.schema import CODE_COLUMNS, STATEMENT_COLUMNS
from pipeline.coding.stance import STANCES, is_suggestion
from pipeline.disclosure import min_count as disclosure_min_count
from pipeline.settings import load_vocabularies
from pipeline.vocab import split_multi

ANALYST_COLUMNS = ["statement_id", "text", "codes", "stance", "question", "notes"]


def code_statements(
    statements: pd.DataFrame,
    coder,
    question_inferer,
    stance_classifier,
    analyst: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Assign question (where unknown), stance, suggestion flag and codes to every statement.

    Args:
        statements: Output of :func:`pipeline.coding.segment.segment_responses`.
        coder: A fitted :class:`pipeline.coding.coder.CodebookCoder`.
        question_inferer: A fitted :class:`pipeline.coding.questions.QuestionInferer`.
        stance_classifier: A fitted :class:`pipeline.coding.stance.StanceClassifier`.
        analyst: Analyst decisions (``statement_id, codes, stance, question``); ``codes`` is
            ``;``-separated ids or ``none``. Rows for statements not present are ignored by the caller's count.

    Returns:
        ``(statements, codes)`` in the columns of docs/data-model.md, sorted by ``statement_id``.
    """
    st = statements.copy().sort_values("statement_id", kind="mergesort").reset_index(drop=True)
    texts = st["text"].astype(str).tolist()
    st["question_source"] = "ingest"
    st["question_confidence"] = 1.0
    unknown = st["question"].isin(["unknown", ""]).to_numpy()
    if unknown.any():
        q, conf = question_inferer.predict([t for t, u in zip(texts, unknown, strict=True) if u])
        st.loc[unknown, "question"] = q
        st.loc[unknown, "question_source"] = "inferred"
        st.loc[unknown, "question_confidence"] = np.round(conf, 4)
    stance, s_conf = stance_classifier.predict(texts, st["question"].tolist())
    st["stance"] = stance
    st["stance_confidence"] = np.round(np.asarray(s_conf, dtype=float), 4)
    st["is_suggestion"] = [is_suggestion(t) for t in texts]
    st["reviewed"] = False

    coded = coder.code(texts, st["language"].tolist())
    rows = [dict(statement_id=sid, **r) for sid, rs in zip(st["statement_id"], coded, strict=True) for r in rs]
    codes = pd.DataFrame(rows, columns=CODE_COLUMNS)

    if analyst is not None and len(analyst):
        st, codes = _apply_analyst(st, codes, analyst)

    codes = codes.sort_values(["statement_id", "confidence", "code"], ascending=[True, False, True], kind="mergesort")
    codes = codes.reset_index(drop=True)
    codes["confidence"] = codes["confidence"].astype(float)
    n_codes = codes[codes["code"] != UNCODED].groupby("statement_id").size()
    st["n_codes"] = st["statement_id"].map(n_codes).fillna(0).astype("int64")
    st["question_confidence"] = st["question_confidence"].astype(float)
    for col in ("char_start", "char_end"):
        st[col] = st[col].astype("int64")
    return st[STATEMENT_COLUMNS], codes


def _apply_analyst(st: pd.DataFrame, codes: pd.DataFrame, analyst: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The analyst's decisions replace the coder's codes for the statements they cover, and set their
    stance and question where those are valid; such statements are marked ``reviewed``."""
    st = st.copy()
    a = analyst.drop_duplicates("statement_id", keep="last").set_index("statement_id")
    hit = st["statement_id"].isin(a.index)
    ids = set(st.loc[hit, "statement_id"])
    codes = codes[~codes["statement_id"].isin(ids)]
    new = []
    for sid in sorted(ids):
        for cid in parse_labels(a.at[sid, "codes"]) or [UNCODED]:
            new.append({"statement_id": sid, "code": cid, "subtheme": "", "confidence": 1.0,
                        "evidence": "coded by an analyst in the review sheet", "source": "analyst"})
    codes = pd.concat([codes, pd.DataFrame(new, columns=CODE_COLUMNS)], ignore_index=True)
    st.loc[hit, "reviewed"] = True
    for col, allowed in (("stance", STANCES), ("question", list(load_vocabularies().answerable_questions))):
        if col in a.columns:
            vals = st.loc[hit, "statement_id"].map(a[col]).fillna("").astype(str).str.strip().str.lower()
            ok = vals.isin(allowed)
            st.loc[hit & ok.reindex(st.index, fill_value=False), col] = vals[ok]
            if col == "stance":
                st.loc[hit & ok.reindex(st.index, fill_value=False), "stance_confidence"] = 1.0
    return st, codes


def summarise(statements: pd.DataFrame, codes: pd.DataFrame, min_count: int | None = None) -> pd.DataFrame:
    """Counts of statements by code x question x stance x cohort x police force area.

    A statement attributed to several cohorts or areas counts once in each. Counts below
    ``min_count`` are suppressed (``n_statements`` empty, ``suppressed`` True) so that no small group
    can be identified; ``n_participants`` (distinct participant refs) is suppressed the same way.
    ``min_count`` defaults to ``disclosure.min_count`` of ``config/settings.yaml``.
    """
    min_count = disclosure_min_count() if min_count is None else min_count
    keys = ["code", "question", "stance", "cohort", "police_force_area"]
    df = codes[["statement_id", "code"]].merge(
        statements[["statement_id", "question", "stance", "cohort", "police_force_area", "organisation", "participant_ref"]],
        on="statement_id", how="left",
    )
    df["cohort"] = df["cohort"].map(split_multi)
    df["police_force_area"] = df["police_force_area"].map(split_multi)
    df = df.explode("cohort").explode("police_force_area")
    df["participant"] = df["organisation"].astype(str) + "|" + df["participant_ref"].astype(str)
    out = (
        df.groupby(keys, sort=True)
        .agg(n_statements=("statement_id", "nunique"), n_participants=("participant", "nunique"))
        .reset_index()
    )
    small = out["n_statements"] < min_count
    out["suppressed"] = small
    out["n_statements"] = out["n_statements"].astype("Int64").mask(small)
    out["n_participants"] = out["n_participants"].astype("Int64").mask(small | (out["n_participants"] < min_count))
    return out


def reconcile(responses: pd.DataFrame, statements: pd.DataFrame, codes: pd.DataFrame, skipped: pd.DataFrame) -> list[str]:
    """Check that every response with text has a statement and every statement has a code row.

    Returns:
        Problems found, in plain English (empty when everything reconciles).
    """
    problems = []
    with_text = set(responses.loc[responses["text"].fillna("").astype(str).str.strip() != "", "response_id"])
    missing = with_text - set(statements["response_id"])
    if missing:
        problems.append(f"{len(missing)} response(s) with text produced no statement, e.g. {sorted(missing)[:3]}")
    accounted = set(statements["response_id"]) | set(skipped["response_id"])
    lost = set(responses["response_id"]) - accounted
    if lost:
        problems.append(f"{len(lost)} response(s) are neither segmented nor listed as skipped, e.g. {sorted(lost)[:3]}")
    uncoded = set(statements["statement_id"]) - set(codes["statement_id"])
    if uncoded:
        problems.append(f"{len(uncoded)} statement(s) have no row in codes, e.g. {sorted(uncoded)[:3]}")
    return problems


# --- the stage as the runner calls it (pipeline.runner) -------------------------------------------

def _fit_models(statements: pd.DataFrame, codebook, embedder, analyst: pd.DataFrame | None, s: dict, settings: dict):
    """The coder (:func:`pipeline.coding.training.fit_coder`, as every stage that codes), question inferer and stance classifier."""
    import logging

    from pipeline.coding.questions import QuestionInferer
    from pipeline.coding.stance import StanceClassifier
    from pipeline.coding.training import fit_coder, stance_training

    log = logging.getLogger("pipeline.coding")
    coder = fit_coder(codebook, embedder=embedder, settings=settings, analyst=analyst)
    if coder.training_files_ or coder.n_analyst_:
        log.info("learning from %d coded statements in %s and %d analyst decisions", coder.n_generic_,
                 ", ".join(coder.training_files_) or "no training file", coder.n_analyst_)
    log.info("code thresholds (%s): %s", coder.calibration_, {k: round(v, 3) for k, v in coder.thresholds_.items()})
    known = statements[~statements["question"].isin(["unknown", ""])]
    qi = QuestionInferer(codebook, embedder=embedder, random_state=s["random_state"]).fit(
        known["text"].tolist(), known["question"].tolist())
    stance_train = stance_training(codebook, coder.training_data_)
    sc = StanceClassifier(embedder=embedder, min_labelled=s["stance_min_labelled"],
                          random_state=s["random_state"]).fit(
        stance_train["text"].tolist(), stance_train["stance"].tolist(), stance_train["question"].tolist())
    return coder, qi, sc


def _check_outputs(responses, st, codes, skipped) -> None:
    """Validate the two tables and check that every response is accounted for."""
    import logging

    from pipeline.coding.schema import CODES, STATEMENTS, validate
    from pipeline.errors import PipelineError

    validate(st, STATEMENTS, "statements")
    validate(codes, CODES, "codes")
    problems = reconcile(responses, st, codes, skipped)
    for p in problems:
        logging.getLogger("pipeline.coding").error("reconciliation: %s", p)
    if problems:
        raise PipelineError("the coding outputs do not reconcile with responses.parquet (see the log above).")


def _coding_params(codebook, coder, qi, sc, s, counts, codebook_path: str) -> dict:
    from pipeline.coding.training import coder_params

    return {
        "codebook": codebook_path,
        "codebook_summary": codebook.to_dict(),
        "coder": coder_params(s),
        "thresholds": {k: round(v, 4) for k, v in coder.thresholds_.items()},
        "calibration": coder.calibration_,
        "stance_method": "classifier" if sc.model_ is not None else "cue rules",
        "question_method": "classifier" if qi.model_ is not None else "similarity and cue words",
        "segmentation": {"min_words": s["min_words"], "max_words": s["max_words"]},
        "counts": counts,
        "training_files": list(coder.training_files_),
        "n_training_statements": len(coder.training_data_),
    }


def run(tables: dict, settings, *, codebook_path=None, cache_dir=None):
    """Split ``tables["responses"]`` into statements and code them (the ``make code`` stage).

    Args:
        tables: ``responses`` and, if the analyst has reviewed, ``analyst_codes`` (else ``None``).
        settings: The run's :class:`~pipeline.settings.Settings`.
        codebook_path: The codebook YAML (default ``config/codebook.yaml``).
        cache_dir: Where the embedding cache lives (the processed folder), or ``None`` for none.

    Returns:
        A :class:`~pipeline.runner.StageOutput` with ``statements``, ``codes``, ``coding_summary`` and
        ``coding_skipped`` (the responses that gave no statement, with the reason).
    """
    import logging
    from pathlib import Path

    from pipeline import config
    from pipeline.coding.codebook import load_codebook
    from pipeline.coding.schema import RESPONSES, validate
    from pipeline.coding.segment import segment_responses
    from pipeline.coding.training import coding_settings
    from pipeline.nlp.embed import Embedder
    from pipeline.runner import StageOutput

    log = logging.getLogger("pipeline.coding")
    s = coding_settings(settings.as_dict())
    codebook = load_codebook(codebook_path)
    responses, analyst = validate(tables["responses"], RESPONSES, "responses"), tables.get("analyst_codes")
    statements, skipped = segment_responses(responses, s["min_words"], s["max_words"])
    log.info("%d responses -> %d statements (%d responses without text skipped)", len(responses), len(statements), len(skipped))
    embedder = Embedder(cache_dir=cache_dir, model_name=s["model"], batch_size=s["batch_size"])
    coder, qi, sc = _fit_models(statements, codebook, embedder, analyst, s, settings.as_dict())
    from pipeline import distributed

    # On a Dask cluster when --scheduler / DASK_SCHEDULER is set (partitions of statements), else locally.
    st, codes = distributed.code_statements(statements, coder, qi, sc, analyst)
    _check_outputs(responses, st, codes, skipped)
    if analyst is not None and (orphan := len(set(analyst["statement_id"]) - set(st["statement_id"]))):
        log.warning("%d analyst decision(s) refer to statements that no longer exist (kept in analyst_codes.csv)", orphan)
    counts = {"responses": len(responses), "skipped": len(skipped), "statements": len(st), "code_rows": len(codes),
              "reviewed": int(st["reviewed"].sum())}
    log.info("coded %d statements: %s; %d reviewed by an analyst; %d questions inferred", len(st),
             codes["code"].value_counts().sort_index().to_dict(), counts["reviewed"],
             int((st["question_source"] == "inferred").sum()))
    book = Path(codebook_path or config.CONFIG_DIR / "codebook.yaml")
    return StageOutput(
        {"statements": st, "codes": codes, "coding_summary": summarise(st, codes, s["min_count"]),
         "coding_skipped": skipped},
        _coding_params(codebook, coder, qi, sc, s, counts, str(book)),
        inputs=[Path(f) for f in coder.training_files_] + [book])
