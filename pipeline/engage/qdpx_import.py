"""Mapping the codings of an imported REFI-QDA project back onto statements (see :mod:`pipeline.engage.qdpx`).

:func:`import_codings` turns the coded selections of a project read by
:func:`pipeline.engage.qdpx.read_project` into analyst decisions in the review sheet's form, with
the half-length overlap rule, and lists new codes and everything it could not use, with reasons.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pipeline.engage.qdpx import PIPELINE_USER, STANCE_PREFIX, SUGGESTION, CodeNode, ReadProject, guid

ANALYST_COLUMNS = ["statement_id", "text", "codes", "stance", "question", "notes"]
EXTRA_COLUMNS = ["statement_id", "code", "text"]
PROBLEM_COLUMNS = ["where", "reason"]
_ID_RE = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*:")
_THEME_RE = re.compile(r"^\s*Theme\s+(-?\d+)\s*:", re.I)


@dataclass
class ImportResult:
    """Analyst decisions, extra (new) codes, problems and figures for the summary."""

    decisions: pd.DataFrame
    extra_codes: pd.DataFrame
    problems: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)


def code_meanings(project_codes: pd.DataFrame, nodes: list[CodeNode]) -> pd.DataFrame:
    """What each code of the imported project means: ``guid, kind, ref, name``.

    A code is recognised by its GUID (kept by the QDA tool), else by its name (``PA1: ...``,
    ``Stance: agree``, ``Theme 3: ...``); a codable code recognised by neither is ``new``; a
    non-codable grouping code is ``group``.
    """
    known = {n.guid: n for root in nodes for n in root.walk()}
    by_id = {n.ref: n for root in nodes for n in root.walk() if n.kind in ("area", "subtheme")}
    rows = []
    for c in project_codes.to_dict("records"):
        node = known.get(c["guid"])
        name = str(c["name"])
        if node is None:
            m, t = _ID_RE.match(name), _THEME_RE.match(name)
            if name.startswith(STANCE_PREFIX):
                node = CodeNode(c["guid"], name, "stance", name[len(STANCE_PREFIX):].strip().lower())
            elif name.strip() == SUGGESTION:
                node = CodeNode(c["guid"], name, "suggestion", "suggestion")
            elif t:
                node = CodeNode(c["guid"], name, "emergent", t.group(1))
            elif m and m.group(1) in by_id:
                node = by_id[m.group(1)]
            else:
                node = CodeNode(c["guid"], name, "new" if c["codable"] else "group", name.strip())
        rows.append({"guid": c["guid"], "kind": node.kind, "ref": node.ref, "name": name})
    return pd.DataFrame(rows, columns=["guid", "kind", "ref", "name"])


def _statements_covered(spans: pd.DataFrame, start: int, end: int, min_overlap: float) -> list[str]:
    length = spans["end"] - spans["start"]
    overlap = (spans["end"].clip(upper=end) - spans["start"].clip(lower=start)).clip(lower=0)
    return spans.loc[(length > 0) & (overlap >= min_overlap * length), "statement_id"].tolist()


def _match_sources(project: ReadProject, sources: pd.DataFrame) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Imported source GUID -> our source file, checking the text is the text exported."""
    ours = sources.set_index("source_file")["text"]
    by_guid = dict(zip(sources["guid"], sources["source_file"], strict=True))
    matched, problems = {}, []
    for s in project.sources.to_dict("records"):
        source_file = by_guid.get(s["guid"]) or (s["name"] if s["name"] in ours.index else None)
        if source_file is None:
            problems.append({"where": f"source {s['name']}", "reason": "this source is not one of the consultation's "
                             "returns (added in the QDA tool?): its codings were not imported"})
        elif s["text"].replace("\r\n", "\n") != ours[source_file]:
            problems.append({"where": f"source {s['name']}", "reason": "its text differs from the current answers "
                             "(were the returns re-ingested, or the text edited in the QDA tool?): its codings were not "
                             "imported; export again with `make qdpx` and recode there"})
        else:
            matched[s["guid"]] = source_file
    return matched, problems


def _collect(project: ReadProject, meanings: pd.DataFrame, matched: dict[str, str], spans: pd.DataFrame,
             min_overlap: float) -> tuple[dict[str, dict[str, set[str]]], list[dict[str, str]]]:
    """Per statement: the areas, sub-themes, themes, stances, new codes and users of the selections covering it."""
    kinds = meanings.set_index("guid")
    per: dict[str, dict[str, set[str]]] = {}
    problems = []
    by_source = {sf: g for sf, g in spans.groupby("source_file")}
    sel = project.selections[project.selections["source_guid"].isin(matched)]
    for (src, start, end), group in sel.groupby(["source_guid", "start", "end"], sort=True):
        covered = _statements_covered(by_source.get(matched[src], spans.iloc[:0]), start, end, min_overlap)
        if not covered:
            problems.append({"where": f"{matched[src]} characters {start}-{end}",
                             "reason": "this coded selection covers no statement for at least half its length: "
                                       "not imported (select whole sentences)"})
            continue
        for r in group.to_dict("records"):
            if r["code_guid"] not in kinds.index:
                problems.append({"where": f"{matched[src]} characters {start}-{end}",
                                 "reason": f"coded with a code ({r['code_guid']}) the project does not define"})
                continue
            kind, ref = kinds.loc[r["code_guid"], "kind"], kinds.loc[r["code_guid"], "ref"]
            for sid in covered:
                d = per.setdefault(sid, {})
                d.setdefault(kind, set()).add(ref)
                d.setdefault("user", set()).add(r["user_guid"])
    return per, problems


def _area_of(subtheme: str, nodes: list[CodeNode]) -> str:
    for root in nodes:
        for n in root.walk():
            if n.kind == "area" and any(c.ref == subtheme for c in n.children):
                return n.ref
    return ""


def import_codings(project: ReadProject, nodes: list[CodeNode], sources: pd.DataFrame, spans: pd.DataFrame,
                   statements: pd.DataFrame, codes: pd.DataFrame, min_overlap: float = 0.5,
                   take_all: bool = False, project_name: str = "") -> ImportResult:
    """The imported codings as analyst decisions (``analyst_codes.csv`` rows), new codes and problems.

    Args:
        project: The project read back.
        nodes: The code system as exported (:func:`pipeline.engage.qdpx.code_system`).
        sources, spans: The sources and statement spans as exported (rebuilt from the current tables).
        statements, codes: The current ``statements`` and ``codes`` tables.
        min_overlap: Share of a statement's length a selection must cover to apply to it.
        take_all: Take every coding; by default only statements whose codes or stance differ from the
            current ones, or that another user coded, become decisions.
        project_name: Named in the decisions' notes.
    """
    meanings = code_meanings(project.codes, nodes)
    matched, problems = _match_sources(project, sources)
    per, more = _collect(project, meanings, matched, spans, min_overlap)
    problems += more
    current = codes[codes["code"] != "uncoded"].groupby("statement_id")["code"].agg(lambda s: set(s))
    info = statements.set_index("statement_id")
    me = guid("user", PIPELINE_USER)
    decisions, extra = [], []
    for sid, d in sorted(per.items()):
        areas = set(d.get("area", set())) | {_area_of(s, nodes) for s in d.get("subtheme", set())} - {""}
        stances = d.get("stance", set())
        if len(stances) > 1:
            problems.append({"where": sid, "reason": f"coded with several stances ({', '.join(sorted(stances))}): "
                             "stance left to the coder"})
        stance = next(iter(stances)) if len(stances) == 1 else ""
        changed = (areas != current.get(sid, set()) or (stance and stance != info.loc[sid, "stance"])
                   or d.get("new") or d.get("user", set()) - {me})
        if not (take_all or changed):
            continue
        extra += [{"statement_id": sid, "code": c, "text": info.loc[sid, "text"]} for c in sorted(d.get("new", []))]
        notes = [f"imported from the QDA project {project_name}".strip()]
        notes += [f"{k}: {', '.join(sorted(d[k]))}" for k in ("subtheme", "emergent", "new") if d.get(k)]
        if d.get("suggestion"):
            notes.append("suggestion")
        decisions.append({"statement_id": sid, "text": info.loc[sid, "text"], "codes": ";".join(sorted(areas)) or "none",
                          "stance": stance, "question": "", "notes": "; ".join(notes)})
    problems += _uncovered(current, per)
    summary = {"selections": int(len(project.selections.drop_duplicates(["source_guid", "start", "end"]))),
               "statements_covered": len(per), "decisions": len(decisions),
               "new_codes": sorted({e["code"] for e in extra}), "problems": len(problems)}
    return ImportResult(pd.DataFrame(decisions, columns=ANALYST_COLUMNS), pd.DataFrame(extra, columns=EXTRA_COLUMNS),
                        pd.DataFrame(problems, columns=PROBLEM_COLUMNS), summary)


def _uncovered(current: pd.Series, per: dict[str, Any]) -> list[dict[str, str]]:
    missing: Iterable[str] = sorted(set(current.index) - set(per))
    return [{"where": sid, "reason": "exported with codes but no coded selection covers it in the imported project: "
             "its codes were left as they are (code it 'none' in the review sheet if that is meant)"}
            for sid in missing]


def merge_decisions(previous: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    """New decisions replace earlier ones for the same statement (as the review sheet's do)."""
    if previous is None or previous.empty:
        return new.sort_values("statement_id", kind="mergesort").reset_index(drop=True)
    prev = previous.fillna("").astype(str)
    prev = prev[~prev["statement_id"].isin(new["statement_id"])].reindex(columns=ANALYST_COLUMNS, fill_value="")
    return pd.concat([prev, new], ignore_index=True).sort_values("statement_id", kind="mergesort").reset_index(drop=True)
