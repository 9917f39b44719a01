"""Runners of the coding stage: ``python -m pipeline code``, ``review`` and ``evaluate``.

* ``code`` (``make code``): reads ``<out>/responses.parquet``, splits answers into statements, codes
  them against the codebook (``config/codebook.yaml`` or ``--codebook``), infers unknown questions,
  assigns stance and suggestions, applies the analyst's decisions kept in ``<out>/analyst_codes.csv``
  and writes ``statements.parquet``/``.csv``, ``codes.parquet``/``.csv``, ``coding_summary.csv``,
  ``coding_skipped.csv`` and ``code.config.yaml``.
* ``review`` (``make review``): writes ``<out>/review/coding_sheet.xlsx`` for an analyst;
  ``review --apply SHEET`` reads the filled-in sheet back, stores the decisions in
  ``analyst_codes.csv``, retrains on them and recodes everything.
* ``evaluate`` (``make evaluate``): codes any labelled CSV and scores the result
  (``--gold``, ``--train``, ``--codebook``, ``--json``, ``--baselines``).

Only these thin functions read and write files; the stage logic is in the other modules of
``pipeline.coding``.
"""

from __future__ import annotations

import json
import logging
import time
from functools import partial
from pathlib import Path
from typing import Annotated

import pandas as pd
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

log = logging.getLogger("pipeline.coding")
_fail = partial(fail, prefix="Error")


def _settings() -> dict:
    s = config.settings()
    return {"random_state": s.get("random_state", 42), "min_count": s.get("disclosure", {}).get("min_count", 5),
            "model": s.get("embedding", {}).get("model", "all-MiniLM-L6-v2"),
            "batch_size": s.get("embedding", {}).get("batch_size", 64), **s.get("coding", {})}


def _coder_params(s: dict) -> dict:
    keys = ("C", "w_emb", "w_char", "w_dense", "w_word", "cv_folds", "min_analyst_for_cv", "knn", "knn_k",
            "fallback_ratio", "max_codes")
    params = {k: s[k] for k in keys if k in s}
    if "threshold_bounds" in s:
        params["threshold_bounds"] = tuple(s["threshold_bounds"])
    params["random_state"] = s["random_state"]
    return params


def _load_codebook(path: Path | None):
    from pipeline.coding.codebook import CodebookError, load_codebook

    try:
        return load_codebook(path)
    except CodebookError as exc:
        raise typer.Exit(_fail(str(exc))) from exc


def _read_analyst(path: Path) -> pd.DataFrame | None:
    if not path.exists():
        return None
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    log.info("read %s (%d analyst decisions)", path, len(df))
    return df


TRAINING_COLUMNS = ["text", "codes", "stance", "question", "language"]


def _training_files(s: dict) -> list[Path]:
    """The coded CSVs named in ``coding.training_files`` (relative to the project folder)."""
    return [Path(n) if Path(n).is_absolute() else config.ROOT / n for n in (s.get("training_files") or [])]


def _training_data(files: list[Path], analyst: pd.DataFrame | None,
                   code_ids: set[str]) -> tuple[pd.DataFrame, list[Path]]:
    """What the coder and the stance classifier learn from: the training files, then the analyst's decisions.

    A training file that uses codes the codebook lacks (it was coded against another codebook) is
    left out with a warning, so that running with ``--codebook`` does not need the settings edited.

    Args:
        files: Coded CSVs (``text``, ``codes``; optional ``stance``, ``question``, ``language``), e.g.
            the statements an analyst coded for an earlier consultation on the same codebook.
        analyst: ``analyst_codes.csv`` (the review sheet's decisions), or ``None``.
        code_ids: The codebook's codes.

    Returns:
        One frame with :data:`TRAINING_COLUMNS` (blank where a file lacks a column), and the files used.
    """
    from pipeline.coding.coder import parse_labels

    frames, used = [], []
    for path in files:
        if not path.exists():
            raise typer.Exit(_fail(
                f"config/settings.yaml (coding.training_files) names {path}, which does not exist: "
                "restore the file or take it off the list."))
        df = _read_labelled(path, "training")
        if not {"text", "codes"} <= set(df.columns):
            raise typer.Exit(_fail(
                f"The training file {path} needs the columns 'text' and 'codes' (ids separated by ';', empty for "
                f"none); it has {', '.join(df.columns)}. Fix the file or take it off coding.training_files."))
        foreign = sorted({c for v in df["codes"] for c in parse_labels(v)} - code_ids)
        if foreign:
            log.warning("left out the training file %s: it uses code(s) %s that the codebook does not have "
                        "(it was coded against another codebook; see coding.training_files in config/settings.yaml)",
                        path, ", ".join(foreign))
            continue
        frames.append(df.reindex(columns=TRAINING_COLUMNS, fill_value=""))
        used.append(path)
    if analyst is not None:
        frames.append(analyst.reindex(columns=TRAINING_COLUMNS, fill_value=""))
    if not frames:
        return pd.DataFrame(columns=TRAINING_COLUMNS), used
    return pd.concat(frames, ignore_index=True).fillna("").astype(str), used


def run_coding(out: Path, codebook_path: Path | None = None) -> dict:
    """Code ``<out>/responses.parquet`` and write the coding tables (shared by ``code`` and ``review --apply``)."""
    from tqdm import tqdm

    from pipeline.coding.coder import CodebookCoder
    from pipeline.coding.questions import QuestionInferer
    from pipeline.coding.schema import CODES, RESPONSES, STATEMENTS, CodingSchemaError, validate
    from pipeline.coding.segment import segment_responses
    from pipeline.coding.stage import code_statements, reconcile, summarise
    from pipeline.coding.stance import StanceClassifier
    from pipeline.nlp.embed import Embedder

    s = _settings()
    codebook = _load_codebook(codebook_path)
    responses_path = out / "responses.parquet"
    responses = read_table(responses_path, "ingest's responses table", "ingest")
    try:
        validate(responses, RESPONSES, "responses")
    except CodingSchemaError as exc:
        raise typer.Exit(_fail(str(exc))) from exc

    t0 = time.perf_counter()
    steps = tqdm(total=5, desc="coding", unit="step", disable=None)
    statements, skipped = segment_responses(responses, s.get("min_words", 5), s.get("max_words", 60))
    log.info("%d responses -> %d statements (%d responses without text skipped)", len(responses), len(statements), len(skipped))
    steps.update()
    embedder = Embedder(cache_dir=out, model_name=s["model"], batch_size=s["batch_size"])
    analyst_path = out / "analyst_codes.csv"
    analyst = _read_analyst(analyst_path)
    train, training_files = _training_data(_training_files(s), analyst, set(codebook.ids))
    if training_files:
        n_analyst_rows = 0 if analyst is None else len(analyst)
        log.info("learning from %d coded statements in %s and %d analyst decisions", len(train) - n_analyst_rows,
                 ", ".join(str(f) for f in training_files), n_analyst_rows)
    try:
        coder = CodebookCoder(codebook, embedder=embedder, **_coder_params(s)).fit(
            train["text"].tolist(), train["codes"].tolist(), [lang or "en" for lang in train["language"]])
    except ValueError as exc:
        hint = (" Check the codes in coding.training_files (config/settings.yaml) and analyst_codes.csv: they must be "
                "the codebook's." if len(train) else "")
        raise typer.Exit(_fail(str(exc) + hint)) from exc
    log.info("code thresholds (%s): %s", coder.calibration_, {k: round(v, 3) for k, v in coder.thresholds_.items()})
    steps.update()
    known = statements[~statements["question"].isin(["unknown", ""])]
    qi = QuestionInferer(codebook, embedder=embedder, random_state=s["random_state"]).fit(
        known["text"].tolist(), known["question"].tolist())
    sc = StanceClassifier(embedder=embedder, min_labelled=s.get("stance_min_labelled", 20),
                          random_state=s["random_state"]).fit(
        train["text"].tolist(), train["stance"].tolist(), train["question"].tolist())
    steps.update()
    st, codes = code_statements(statements, coder, qi, sc, analyst)
    steps.update()
    try:
        validate(st, STATEMENTS, "statements")
        validate(codes, CODES, "codes")
    except CodingSchemaError as exc:
        raise typer.Exit(_fail(str(exc))) from exc
    problems = reconcile(responses, st, codes, skipped)
    for p in problems:
        log.error("reconciliation: %s", p)
    if problems:
        raise typer.Exit(_fail("the coding outputs do not reconcile with responses.parquet (see the log above)."))
    summary = summarise(st, codes, s["min_count"])
    steps.update()
    steps.close()
    elapsed = time.perf_counter() - t0

    write_table(st, out / "statements.parquet")
    write_table(codes, out / "codes.parquet")
    summary.to_csv(out / "coding_summary.csv", index=False, encoding="utf-8-sig")
    skipped.to_csv(out / "coding_skipped.csv", index=False, encoding="utf-8-sig")
    log.info("wrote %s (%d rows) and %s (%d responses without text)", out / "coding_summary.csv", len(summary),
             out / "coding_skipped.csv", len(skipped))
    counts = codes["code"].value_counts().sort_index().to_dict()
    n_analyst = int(st["reviewed"].sum())
    if analyst is not None:
        orphan = len(set(analyst["statement_id"]) - set(st["statement_id"]))
        if orphan:
            log.warning("%d analyst decision(s) refer to statements that no longer exist (kept in %s)", orphan, analyst_path)
    log.info("coded %d statements in %.1f s: %s; %d reviewed by an analyst; %d questions inferred",
             len(st), elapsed, counts, n_analyst, int((st["question_source"] == "inferred").sum()))
    params = {
        "codebook": str(codebook_path or config.CONFIG_DIR / "codebook.yaml"),
        "codebook_summary": codebook.to_dict(),
        "coder": _coder_params(s),
        "thresholds": {k: round(v, 4) for k, v in coder.thresholds_.items()},
        "calibration": coder.calibration_,
        "stance_method": "classifier" if sc.model_ is not None else "cue rules",
        "question_method": "classifier" if qi.model_ is not None else "similarity and cue words",
        "segmentation": {"min_words": s.get("min_words", 5), "max_words": s.get("max_words", 60)},
        "counts": {"responses": len(responses), "skipped": len(skipped), "statements": len(st),
                   "code_rows": len(codes), "reviewed": n_analyst},
        "training_files": [str(f) for f in training_files],
        "n_training_statements": len(train),
    }
    inputs = [responses_path] + training_files + ([analyst_path] if analyst is not None else [])
    config.write_run_config(out, "code", params, inputs + [Path(codebook_path or config.CONFIG_DIR / "codebook.yaml")])
    return params["counts"]


def code_command(
    consultation: ConsultationOpt = None,
    raw: RawOpt = None,
    out: OutOpt = None,
    reports: ReportsOpt = None,
    codebook: CodebookOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Split answers into statements and code them against the priority areas, with question, stance and evidence."""
    setup_logging(verbose)
    paths = resolve_paths(consultation, raw, out, reports)
    run_coding(paths.out, codebook)


def _write_sheet(sheet: pd.DataFrame, path: Path, codebook) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    path.parent.mkdir(parents=True, exist_ok=True)
    guide = pd.DataFrame(
        [{"column": "confirm", "what to write": "Y if the codes are right, N if not (then fill correct_codes)"},
         {"column": "correct_codes", "what to write": "the right codes separated by ';' (e.g. PA2;PA6), or 'none'"},
         {"column": "correct_stance", "what to write": "agree, disagree, mixed or unclear (only if the stance is wrong)"},
         {"column": "correct_question", "what to write": "listened, interpreted, solutions or other (only if wrong)"},
         {"column": "notes", "what to write": "anything else"}]
        + [{"column": c.id, "what to write": c.name} for c in codebook.codes]
    )
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        sheet.to_excel(xl, sheet_name="coding", index=False)
        guide.to_excel(xl, sheet_name="how to review", index=False)
        ws = xl.sheets["coding"]
        ws.freeze_panes = "A2"
        widths = {"statement_id": 22, "organisation": 18, "question": 12, "text": 70, "codes": 14, "confidence": 11,
                  "evidence": 60, "stance": 10, "confirm": 9, "correct_codes": 16, "correct_stance": 15,
                  "correct_question": 17, "notes": 30}
        fill = PatternFill("solid", fgColor="FFF2CC")
        for j, col in enumerate(sheet.columns, start=1):
            letter = ws.cell(row=1, column=j).column_letter
            ws.column_dimensions[letter].width = widths.get(col, 14)
            ws.cell(row=1, column=j).font = Font(bold=True)
            if col in ("confirm", "correct_codes", "correct_stance", "correct_question", "notes"):
                ws.cell(row=1, column=j).fill = fill
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        xl.sheets["how to review"].column_dimensions["B"].width = 80
    log.info("wrote %s (%d statements)", path, len(sheet))


def review_command(
    consultation: ConsultationOpt = None,
    raw: RawOpt = None,
    out: OutOpt = None,
    reports: ReportsOpt = None,
    codebook: CodebookOpt = None,
    apply: Annotated[Path | None, typer.Option("--apply", help="A filled-in coding sheet to read back: its decisions become the truth, the classifier is retrained and the rest recoded.")] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Write the coding sheet for an analyst to check (lowest confidence first), or apply a filled-in one."""
    setup_logging(verbose)
    from pipeline.coding.review import apply_review, review_sheet

    paths = resolve_paths(consultation, raw, out, reports)
    cb = _load_codebook(codebook)
    statements = read_table(paths.out / "statements.parquet", "the coding stage's statements", "code")
    codes = read_table(paths.out / "codes.parquet", "the coding stage's codes", "code")
    if apply is None:
        path = paths.out / "review" / "coding_sheet.xlsx"
        _write_sheet(review_sheet(statements, codes), path, cb)
        typer.echo(f"Wrote {path}. Fill in the yellow columns, save, then run: "
                   f"python -m pipeline review --out {paths.out} --apply {path}")
        return
    if not apply.exists():
        raise typer.Exit(_fail(f"The sheet {apply} does not exist. Give the path of the coding sheet you filled in."))
    try:
        sheet = pd.read_excel(apply, sheet_name="coding", dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook gets the same plain message
        raise typer.Exit(_fail(f"Could not read the sheet 'coding' from {apply} ({exc}). Save it as .xlsx from Excel.")) from exc
    log.info("read %s (%d rows)", apply, len(sheet))
    analyst_path = paths.out / "analyst_codes.csv"
    try:
        analyst, problems = apply_review(sheet, statements, cb.ids, _read_analyst(analyst_path))
    except ValueError as exc:
        raise typer.Exit(_fail(str(exc))) from exc
    analyst.to_csv(analyst_path, index=False, encoding="utf-8-sig")
    log.info("wrote %s (%d analyst decisions)", analyst_path, len(analyst))
    if len(problems):
        problems_path = paths.out / "review" / "review_problems.csv"
        problems_path.parent.mkdir(parents=True, exist_ok=True)
        problems.to_csv(problems_path, index=False, encoding="utf-8-sig")
        log.warning("%d sheet row(s) could not be used; see %s", len(problems), problems_path)
    run_coding(paths.out, codebook)


def _print_table(result: dict) -> None:
    lines = [f"Statements: {result['n']}   speed: {result['statements_per_second']} statements/s",
             f"F1 (sample-averaged) {result['f1_samples']:.3f}   micro {result['f1_micro']:.3f}   "
             f"macro {result['f1_macro']:.3f}   exact match {result['exact_match']:.3f}"]
    if result.get("question_accuracy") is not None:
        lines.append(f"Question accuracy {result['question_accuracy']:.3f}")
    if result.get("stance_accuracy") is not None:
        lines.append(f"Stance accuracy {result['stance_accuracy']:.3f}   macro F1 {result['stance_f1_macro']:.3f}")
    lines.append("")
    lines.append(f"{'code':<12}{'precision':>10}{'recall':>8}{'F1':>7}{'kappa':>7}{'support':>9}")
    for cid, m in result["per_code"].items():
        lines.append(f"{cid:<12}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>7.3f}{m['kappa']:>7.3f}{m['support']:>9}")
    for lang, m in (result.get("by_language") or {}).items():
        lines.append(f"language {lang}: n={m['n']} F1 samples {m['f1_samples']:.3f} micro {m['f1_micro']:.3f}")
    for name, m in (result.get("baselines") or {}).items():
        if "f1_samples" in m:
            lines.append(f"baseline {name:<18} F1 samples {m['f1_samples']:.3f} micro {m['f1_micro']:.3f} macro {m['f1_macro']:.3f}")
        else:
            lines.append(f"baseline {name:<18} {m}")
    typer.echo("\n".join(lines))


def _read_labelled(path: Path, what: str) -> pd.DataFrame:
    if not path.exists():
        raise typer.Exit(_fail(f"The {what} file {path} does not exist."))
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except Exception as exc:  # noqa: BLE001
        raise typer.Exit(_fail(f"Could not read the {what} file {path} as CSV ({exc}).")) from exc
    log.info("read %s (%d rows)", path, len(df))
    return df


def evaluate_command(
    gold: Annotated[Path, typer.Option(help="CSV of hand-coded statements: `text` and `codes` (ids separated by ';', empty for none); optional `question`, `stance`, `language`, `is_suggestion`.")] = config.GOLD_DIR / "gold_statements.csv",
    train: Annotated[Path | None, typer.Option(help="CSV of analyst-coded statements in the same form, learned from first.")] = None,
    codebook: Annotated[Path | None, typer.Option(help="Codebook YAML. Default: config/codebook.yaml, or with --train the codes the training file uses.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the figures to this JSON file.")] = None,
    predictions: Annotated[Path | None, typer.Option(help="Also write the gold rows with the predicted codes to this CSV.")] = None,
    baselines: Annotated[bool, typer.Option("--baselines", help="Also score the lexicon, similarity and BERTopic zero-shot baselines.")] = False,
    verbose: VerboseOpt = False,
) -> None:
    """Code a labelled CSV and report agreement with its codes (F1, per-code kappa, question and stance accuracy)."""
    setup_logging(verbose)
    from pipeline.coding.evaluate import EvaluationInputError, evaluate_frame
    from pipeline.nlp.embed import Embedder

    s = _settings()
    gold_df = _read_labelled(gold, "gold")
    train_df = _read_labelled(train, "training") if train is not None else None
    cb = _load_codebook(codebook) if (codebook is not None or train is None) else None
    # In-memory embeddings: the speed reported includes embedding every statement.
    embedder = Embedder(cache_dir=None, model_name=s["model"], batch_size=s["batch_size"], show_progress=False)
    params = _coder_params(s)
    params.pop("random_state")
    try:
        result, preds = evaluate_frame(gold_df, cb, train_df, embedder=embedder, coder_params=params,
                                       baselines=baselines, random_state=s["random_state"])
    except (EvaluationInputError, ValueError) as exc:
        raise typer.Exit(_fail(str(exc))) from exc
    result["gold"] = str(gold)
    result["train"] = str(train) if train else None
    _print_table(result)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
        log.info("wrote %s", json_out)
    if predictions is not None:
        predictions.parent.mkdir(parents=True, exist_ok=True)
        preds.to_csv(predictions, index=False, encoding="utf-8-sig")
        log.info("wrote %s", predictions)
