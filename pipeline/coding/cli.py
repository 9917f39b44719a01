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
  (``--gold``, ``--train``/``--no-training``, ``--codebook``, ``--by``, ``--predictions``,
  ``--learning-curve``, ``--json``, ``--baselines``); without ``--train`` it learns exactly as ``code``.

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
from pipeline.coding.training import (
    TrainingDataError,
    coder_params,
    coding_settings,
    fit_coder,
    read_labelled,
    stance_training,
    training_data,
    training_files,
)
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


def run_coding(out: Path, codebook_path: Path | None = None) -> dict:
    """Code ``<out>/responses.parquet`` and write the coding tables (shared by ``code`` and ``review --apply``)."""
    from tqdm import tqdm

    from pipeline.coding.questions import QuestionInferer
    from pipeline.coding.schema import CODES, RESPONSES, STATEMENTS, CodingSchemaError, validate
    from pipeline.coding.segment import segment_responses
    from pipeline.coding.stage import code_statements, reconcile, summarise
    from pipeline.coding.stance import StanceClassifier
    from pipeline.nlp.embed import Embedder

    s = coding_settings()
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
    try:
        coder = fit_coder(codebook, embedder=embedder, analyst=analyst)
    except TrainingDataError as exc:
        raise typer.Exit(_fail(str(exc))) from exc
    training_files = [Path(f) for f in coder.training_files_]
    if training_files or coder.n_analyst_:
        log.info("learning from %d coded statements in %s and %d analyst decisions", coder.n_generic_,
                 ", ".join(coder.training_files_) or "no training file", coder.n_analyst_)
    train = coder.training_data_
    log.info("code thresholds (%s): %s", coder.calibration_, {k: round(v, 3) for k, v in coder.thresholds_.items()})
    steps.update()
    known = statements[~statements["question"].isin(["unknown", ""])]
    qi = QuestionInferer(codebook, embedder=embedder, random_state=s["random_state"]).fit(
        known["text"].tolist(), known["question"].tolist())
    stance_train = stance_training(codebook, train)
    sc = StanceClassifier(embedder=embedder, min_labelled=s.get("stance_min_labelled", 20),
                          random_state=s["random_state"]).fit(
        stance_train["text"].tolist(), stance_train["stance"].tolist(), stance_train["question"].tolist())
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
        "coder": coder_params(s),
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
        [{"column": "check_names", "what to write": "(filled in by redaction) a name found only by the model, or a "
                                                      "capitalised word left that may be a name: read the answer "
                                                      "in responses.csv and tell the data-protection lead if a name is left"},
         {"column": "confirm", "what to write": "Y if the codes are right, N if not (then fill correct_codes)"},
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
        widths = {"check_names": 24, "statement_id": 22, "organisation": 18, "question": 12, "text": 70, "codes": 14, "confidence": 11,
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


def _name_checks(path: Path) -> pd.Series | None:
    """What redaction asks the analyst to check, by response (``redaction_log.csv``'s ``check`` column)."""
    if not path.exists():
        return None
    log_df = pd.read_csv(path, dtype=str, keep_default_na=False, usecols=lambda c: c in {"response_id", "check"})
    if not {"response_id", "check"} <= set(log_df.columns):
        return None
    flagged = log_df[log_df["check"].str.strip() != ""]
    return flagged.groupby("response_id")["check"].agg(lambda s: "; ".join(sorted(set(s))))


def _review_priority(statements: pd.DataFrame, cb, out: Path) -> pd.Series:
    """Rank of each unreviewed statement for the review sheet: uncertain and diverse first (assess.review_order)."""
    from pipeline.coding.assess import review_order, statement_confidence
    from pipeline.nlp.embed import Embedder

    s = coding_settings()
    todo = statements[~statements["reviewed"].astype(bool)]
    if todo.empty:
        return pd.Series(dtype=float)
    embedder = Embedder(cache_dir=out, model_name=s["model"], batch_size=s["batch_size"])
    try:
        coder = fit_coder(cb, embedder=embedder, analyst=_read_analyst(out / "analyst_codes.csv"))
    except TrainingDataError as exc:
        raise typer.Exit(_fail(str(exc))) from exc
    texts = todo["text"].astype(str).tolist()
    _, proba = coder.predict_scores(texts)
    conf = statement_confidence(proba, [coder.thresholds_[c] for c in coder.ids])
    order = review_order(conf, embedder.encode(texts), n=min(len(texts), 200), random_state=s["random_state"])
    return pd.Series(range(len(order)), index=todo["statement_id"].iloc[order].to_numpy())


def review_command(
    consultation: ConsultationOpt = None,
    raw: RawOpt = None,
    out: OutOpt = None,
    reports: ReportsOpt = None,
    codebook: CodebookOpt = None,
    apply: Annotated[Path | None, typer.Option("--apply", help="A filled-in coding sheet to read back: its decisions become the truth, the classifier is retrained and the rest recoded.")] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Write the coding sheet for an analyst to check (the statements the coder would learn most from first), or apply a filled-in one."""
    setup_logging(verbose)
    from pipeline.coding.review import apply_review, review_sheet

    paths = resolve_paths(consultation, raw, out, reports)
    cb = _load_codebook(codebook)
    statements = read_table(paths.out / "statements.parquet", "the coding stage's statements", "code")
    codes = read_table(paths.out / "codes.parquet", "the coding stage's codes", "code")
    if apply is None:
        path = paths.out / "review" / "coding_sheet.xlsx"
        _write_sheet(review_sheet(statements, codes, _review_priority(statements, cb, paths.out),
                                  _name_checks(paths.out / "redaction_log.csv")), path, cb)
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
    lo, hi = result.get("f1_samples_interval") or (float("nan"), float("nan"))
    lines = [f"Statements: {result['n']}   speed: {result['statements_per_second']} statements/s",
             f"F1 (sample-averaged) {result['f1_samples']:.3f} (95% interval {lo:.3f}-{hi:.3f})   micro "
             f"{result['f1_micro']:.3f}   macro {result['f1_macro']:.3f}   exact match {result['exact_match']:.3f}"]
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
    for col, rows in (result.get("by") or {}).items():
        for r in rows:
            stance = f"   stance macro F1 {r['stance_f1_macro']:.3f}" if "stance_f1_macro" in r else ""
            lines.append(f"{col} {r[col]}: n={r['n']} F1 samples {r['f1_samples']:.3f} "
                         f"({r['f1_low']:.3f}-{r['f1_high']:.3f}){stance}")
    for r in result.get("selective") or []:
        lines.append(f"most confident {r['coverage']:.0%} ({r['n']} statements): F1 samples {r['f1_samples']:.3f}")
    for r in result.get("learning_curve") or []:
        lines.append(f"learning curve ({r['order']} order), {r['n_coded']} of the set's statements coded: "
                     f"F1 samples {r['f1_samples']:.3f}")
    for name, m in (result.get("baselines") or {}).items():
        if "f1_samples" in m:
            lines.append(f"baseline {name:<18} F1 samples {m['f1_samples']:.3f} micro {m['f1_micro']:.3f} macro {m['f1_macro']:.3f}")
        else:
            lines.append(f"baseline {name:<18} {m}")
    typer.echo("\n".join(lines))


def _read_labelled(path: Path, what: str) -> pd.DataFrame:
    try:
        return read_labelled(path, what)
    except TrainingDataError as exc:
        raise typer.Exit(_fail(str(exc))) from exc


def _evaluation_training(train: list[Path] | None, no_training: bool, codebook) -> tuple[pd.DataFrame | None, list[Path]]:
    """The statements evaluate learns from: ``--train`` files, else ``coding.training_files`` as ``make code``."""
    if no_training:
        return None, []
    if train:
        frames = [_read_labelled(path, "training") for path in train]
        return pd.concat(frames, ignore_index=True).fillna(""), list(train)
    if codebook is None:
        return None, []
    try:
        generic, _, used = training_data(training_files(coding_settings()), None, set(codebook.ids))
    except TrainingDataError as exc:
        raise typer.Exit(_fail(str(exc))) from exc
    return (generic if len(generic) else None), used


def evaluate_command(
    gold: Annotated[Path, typer.Option(help="CSV of hand-coded statements: `text` and `codes` (ids separated by ';', empty for none); optional `question`, `stance`, `language`, `is_suggestion`.")] = config.GOLD_DIR / "gold_statements.csv",
    train: Annotated[list[Path] | None, typer.Option(help="CSV of coded statements in the same form, learned from (repeatable). Default: coding.training_files in config/settings.yaml, as `make code` uses.")] = None,
    no_training: Annotated[bool, typer.Option("--no-training", help="Learn from the codebook alone (its examples, or its descriptions when it has none).")] = False,
    codebook: Annotated[Path | None, typer.Option(help="Codebook YAML. Default: config/codebook.yaml, or with --train the codes the training file uses.")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the figures to this JSON file.")] = None,
    predictions: Annotated[Path | None, typer.Option(help="Write one row per statement to this CSV: gold, predicted codes, confidence and each code's score.")] = None,
    by: Annotated[list[str] | None, typer.Option(help="Also give the figures by this column (repeatable), e.g. cohort, register, language.")] = None,
    learning_curve: Annotated[bool, typer.Option("--learning-curve", help="Also measure F1 on held-out statements after 0, 25, 50, 100, 150 of the set's own statements are coded (5-fold), in random and review-sheet order.")] = False,
    baselines: Annotated[bool, typer.Option("--baselines", help="Also score the lexicon, similarity and BERTopic zero-shot baselines.")] = False,
    verbose: VerboseOpt = False,
) -> None:
    """Code a labelled CSV and report agreement with its codes (F1 with a bootstrap interval, per-code kappa, question and stance)."""
    setup_logging(verbose)
    from pipeline.coding.evaluate import EvaluationInputError, evaluate_frame
    from pipeline.nlp.embed import Embedder

    s = coding_settings()
    gold_df = _read_labelled(gold, "gold")
    cb = _load_codebook(codebook) if (codebook is not None or not train) else None
    train_df, used = _evaluation_training(train, no_training, cb)
    typer.echo("Learning from: " + (", ".join(str(p) for p in used) if used else "the codebook alone") +
               (f" ({len(train_df)} coded statements)" if train_df is not None else ""))
    # In-memory embeddings: the speed reported includes embedding every statement.
    embedder = Embedder(cache_dir=None, model_name=s["model"], batch_size=s["batch_size"], show_progress=False)
    params = coder_params(s)
    params.pop("random_state")
    try:
        result, preds = evaluate_frame(gold_df, cb, train_df, embedder=embedder, coder_params=params,
                                       baselines=baselines, random_state=s["random_state"], by=by or ())
        if learning_curve:
            result["learning_curve"] = _learning_curve(gold_df, cb, train_df, embedder, s)
    except (EvaluationInputError, ValueError) as exc:
        raise typer.Exit(_fail(str(exc))) from exc
    result["gold"] = str(gold)
    result["train"] = [str(p) for p in used]
    _print_table(result)
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
        log.info("wrote %s", json_out)
    if predictions is not None:
        predictions.parent.mkdir(parents=True, exist_ok=True)
        preds.to_csv(predictions, index=False, encoding="utf-8-sig")
        log.info("wrote %s", predictions)


def _learning_curve(gold_df: pd.DataFrame, cb, train_df: pd.DataFrame | None, embedder, s: dict) -> list[dict]:
    from pipeline.coding.assess import learning_curve
    from pipeline.coding.codebook import Codebook
    from pipeline.coding.coder import parse_labels
    from pipeline.coding.evaluate import check_labelled
    from pipeline.coding.training import fit_on

    gold_df = check_labelled(gold_df, "gold")
    codebook = cb or Codebook.from_labels([c for v in (train_df["codes"] if train_df is not None else gold_df["codes"])
                                           for c in parse_labels(v)])

    def fit(own: pd.DataFrame):
        return fit_on(codebook, train_df, own, embedder, coder_params(s))

    curve = learning_curve(gold_df, fit, random_state=s["random_state"])
    summary = curve.groupby(["order", "n_coded"], as_index=False)["f1_samples"].mean().round(4)
    return summary.to_dict(orient="records")
