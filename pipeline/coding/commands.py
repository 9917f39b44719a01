"""What ``python -m pipeline review`` and ``evaluate`` do (their options are declared in :mod:`pipeline.coding.cli`).

* :func:`write_review_sheet` writes ``<out>/review/coding_sheet.xlsx`` (the statements the coder
  would learn most from first); :func:`apply_review_sheet` reads a filled-in sheet back, stores the
  decisions in ``analyst_codes.csv`` and recodes everything through the runner.
* :func:`evaluate` codes a labelled CSV and scores the result.

Errors are :class:`~pipeline.errors.PipelineError` subclasses (the command line shows their message).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
import typer

from pipeline import catalog
from pipeline.coding.training import (
    coder_params,
    coding_settings,
    fit_coder,
    read_labelled,
    training_data,
    training_files,
)
from pipeline.errors import InputDataError

__all__ = ["apply_review_sheet", "evaluate", "run_code", "run_coding", "write_review_sheet"]

log = logging.getLogger("pipeline.coding")


def run_code(paths, settings, codebook: Path | None = None) -> dict:
    """Run the coding stage through the runner (``make code``); return its counts."""
    from functools import partial

    from pipeline.coding.stage import run
    from pipeline.runner import Stage, execute

    stage = Stage("code", partial(run, codebook_path=codebook, cache_dir=paths.out), reads=("responses",),
                  reads_optional=("analyst_codes",))
    return execute(stage, paths, settings).params["counts"]


def run_coding(out: Path, codebook_path: Path | None = None) -> dict:
    """Code ``<out>/responses.parquet`` with the default settings (``make code`` on one folder); return the counts."""
    from pipeline.common import RunPaths
    from pipeline.settings import load_settings

    return run_code(RunPaths(out.name, out, out, out), load_settings(), codebook_path)


def _analyst(out: Path) -> pd.DataFrame | None:
    return catalog.read("analyst_codes", out) if catalog.path("analyst_codes", out).exists() else None


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


def _review_priority(statements: pd.DataFrame, cb, out: Path, settings) -> pd.Series:
    """Rank of each unreviewed statement for the review sheet: uncertain and diverse first (assess.review_order)."""
    from pipeline.coding.assess import review_order, statement_confidence
    from pipeline.nlp.embed import Embedder

    s = coding_settings(settings.as_dict())
    todo = statements[~statements["reviewed"].astype(bool)]
    if todo.empty:
        return pd.Series(dtype=float)
    embedder = Embedder(cache_dir=out, model_name=s["model"], batch_size=s["batch_size"])
    coder = fit_coder(cb, embedder=embedder, settings=settings.as_dict(), analyst=_analyst(out))
    texts = todo["text"].astype(str).tolist()
    _, proba = coder.predict_scores(texts)
    conf = statement_confidence(proba, [coder.thresholds_[c] for c in coder.ids])
    order = review_order(conf, embedder.encode(texts), n=min(len(texts), 200), random_state=s["random_state"])
    return pd.Series(range(len(order)), index=todo["statement_id"].iloc[order].to_numpy())


def write_review_sheet(paths, settings, codebook: Path | None = None) -> Path:
    """Write the coding sheet for the analyst; return its path."""
    from pipeline.coding.codebook import load_codebook
    from pipeline.coding.review import review_sheet

    cb = load_codebook(codebook)
    statements, codes = catalog.read("statements", paths.out), catalog.read("codes", paths.out)
    path = paths.out / "review" / "coding_sheet.xlsx"
    _write_sheet(review_sheet(statements, codes, _review_priority(statements, cb, paths.out, settings),
                              _name_checks(paths.out / "redaction_log.csv")), path, cb)
    return path


def apply_review_sheet(paths, settings, sheet_path: Path, codebook: Path | None = None) -> dict:
    """Store a filled-in sheet's decisions in ``analyst_codes.csv``, then recode (``make review-apply``)."""
    from pipeline.coding.codebook import load_codebook
    from pipeline.coding.review import apply_review

    cb = load_codebook(codebook)
    statements = catalog.read("statements", paths.out)
    if not sheet_path.exists():
        raise InputDataError(f"The sheet {sheet_path} does not exist. Give the path of the coding sheet you filled in.")
    try:
        sheet = pd.read_excel(sheet_path, sheet_name="coding", dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook gets the same plain message
        raise InputDataError(f"Could not read the sheet 'coding' from {sheet_path} ({exc}). Save it as .xlsx from Excel.") from exc
    log.info("read %s (%d rows)", sheet_path, len(sheet))
    try:
        analyst, problems = apply_review(sheet, statements, cb.ids, _analyst(paths.out))
    except ValueError as exc:
        raise InputDataError(str(exc)) from exc
    catalog.write("analyst_codes", analyst, paths.out)
    log.info("wrote %s (%d analyst decisions)", catalog.path("analyst_codes", paths.out), len(analyst))
    if len(problems):
        problems_path = paths.out / "review" / "review_problems.csv"
        problems_path.parent.mkdir(parents=True, exist_ok=True)
        problems.to_csv(problems_path, index=False, encoding="utf-8-sig")
        log.warning("%d sheet row(s) could not be used; see %s", len(problems), problems_path)
    return run_code(paths, settings, codebook)


def _evaluation_training(train: list[Path] | None, no_training: bool, codebook) -> tuple[pd.DataFrame | None, list[Path]]:
    """The statements evaluate learns from: ``--train`` files, else ``coding.training_files`` as ``make code``."""
    if no_training:
        return None, []
    if train:
        frames = [read_labelled(path, "training") for path in train]
        return pd.concat(frames, ignore_index=True).fillna(""), list(train)
    if codebook is None:
        return None, []
    generic, _, used = training_data(training_files(coding_settings()), None, set(codebook.ids))
    return (generic if len(generic) else None), used


def _write_results(result: dict, preds: pd.DataFrame, json_out: Path | None, predictions: Path | None) -> None:
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
        log.info("wrote %s", json_out)
    if predictions is not None:
        predictions.parent.mkdir(parents=True, exist_ok=True)
        preds.to_csv(predictions, index=False, encoding="utf-8-sig")
        log.info("wrote %s", predictions)


def evaluate(gold: Path, train: list[Path] | None, no_training: bool, codebook: Path | None, json_out: Path | None,
             predictions: Path | None, by: list[str] | None, learning_curve: bool, baselines: bool) -> dict:
    """Code a labelled CSV, print and write the agreement figures (``make evaluate``); return them."""
    from pipeline.coding.codebook import load_codebook
    from pipeline.coding.evaluate import evaluate_frame
    from pipeline.nlp.embed import Embedder

    s = coding_settings()
    gold_df = read_labelled(gold, "gold")
    cb = load_codebook(codebook) if (codebook is not None or not train) else None
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
    except ValueError as exc:
        raise InputDataError(str(exc)) from exc
    result["gold"], result["train"] = str(gold), [str(p) for p in used]
    _print_table(result)
    _write_results(result, preds, json_out, predictions)
    return result


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
