"""The REFI-QDA round trip: the coding as a ``.qdpx`` project for NVivo, ATLAS.ti or MAXQDA, and back.

**Export** (:func:`build_project`): each return file is a ``TextSource`` whose plain text is its
answers' *redacted* text, one answer after another, each under a line ``[question | participant]``.
The code system is the codebook's priority areas with their sub-themes, the emergent themes, the
stances and "Suggestion". Each statement is a ``PlainTextSelection`` at its exact character span
(0-based code-point offsets, end exclusive) coded with its priority areas (or sub-theme), its
emergent theme, its stance and, when it proposes an action, "Suggestion". Organisations, cohorts
and police force areas are ``Case`` elements with their attributes as variables. Every GUID is a
UUID5 of what it stands for, so a re-export keeps them and an import can recognise them. The
codebook alone is written as a ``.qdc`` (:func:`codebook_xml`).

**Import** (:func:`read_project`, :func:`import_codings`): the selections of a project coded in a
QDA tool are mapped back onto statements: a selection applies to every statement it covers for at
least ``min_overlap`` (half) of the statement's length. The codings become analyst decisions in the
review sheet's form (``analyst_codes.csv``: ``statement_id, text, codes, stance, question, notes``);
a code the codebook lacks is kept as an analyst's extra code and listed; a selection that covers no
statement, or a source whose text changed, is reported with a reason. By default only what the
analyst changed or coded is taken (the pipeline's own codings coming back unchanged are not
"the truth"); ``take_all`` takes every coding.

Pure functions over DataFrames and bytes; :mod:`pipeline.engage.commands` reads and writes the files.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from lxml import etree

NS = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
_UUID_NS = uuid.UUID("6f1d3c0e-4b7a-5c2e-9a51-c71000000016")  # fixed: the same GUIDs on every export
PIPELINE_USER = "cjiw-pipeline"
SCHEMA_DIR = Path(__file__).parent / "schemas"
STANCE_PREFIX = "Stance: "
SUGGESTION = "Suggestion (proposes an action)"
_COLOURS = ["#1b6ca8", "#a83232", "#2e7d32", "#6a1b9a", "#b45f06", "#00695c", "#4e342e", "#37474f"]


def guid(*parts: Any) -> str:
    """A stable GUID for what ``parts`` name (UUID5), upper-case as QDA tools write them."""
    return str(uuid.uuid5(_UUID_NS, "|".join(map(str, parts)))).upper()


@dataclass
class CodeNode:
    """One code of the code system: ``kind`` is area, subtheme, emergent, stance, suggestion or group."""

    guid: str
    name: str
    kind: str
    ref: str = ""
    description: str = ""
    codable: bool = True
    color: str | None = None
    children: list[CodeNode] = field(default_factory=list)

    def walk(self) -> Iterable[CodeNode]:
        """This node and all below it."""
        yield self
        for child in self.children:
            yield from child.walk()


def code_system(codebook: Any, topics: pd.DataFrame | None, stances: Iterable[str]) -> list[CodeNode]:
    """The code system: priority areas (with sub-themes), emergent themes, stances and suggestion."""
    areas = CodeNode(guid("group", "areas"), "Priority areas", "group", codable=False)
    for i, code in enumerate(codebook.codes):
        node = CodeNode(guid("code", code.id), f"{code.id}: {code.name}", "area", code.id, code.description,
                        color=_COLOURS[i % len(_COLOURS)])
        node.children = [CodeNode(guid("code", s.id), f"{s.id}: {s.name}", "subtheme", s.id) for s in code.subthemes]
        areas.children.append(node)
    emergent = CodeNode(guid("group", "emergent"), "Emergent themes", "group", codable=False)
    if topics is not None:
        for t in topics.sort_values("topic").to_dict("records"):
            name = str(t.get("name") or t.get("label") or f"theme {t['topic']}")
            emergent.children.append(CodeNode(guid("topic", t["topic"], name), f"Theme {t['topic']}: {name}",
                                              "emergent", str(t["topic"]), str(t.get("description", "") or "")))
    stance = CodeNode(guid("group", "stance"), "Stance", "group", codable=False)
    stance.children = [CodeNode(guid("stance", s), f"{STANCE_PREFIX}{s}", "stance", s) for s in stances]
    suggestion = CodeNode(guid("suggestion"), SUGGESTION, "suggestion", "suggestion",
                          "The statement proposes an action (the coder's is_suggestion).")
    return [areas, emergent, stance, suggestion]


def build_sources(responses: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The text of each source (one per return file) and where each answer starts in it.

    Returns:
        ``(sources, offsets)``: ``sources`` has ``source_file, guid, text``; ``offsets`` has
        ``response_id, source_file, offset`` (where the answer's text begins in its source).
    """
    sources, offsets = [], []
    for source_file, group in responses.groupby("source_file", sort=True):
        parts: list[str] = []
        pos = 0
        for r in group.to_dict("records"):
            who = r.get("participant_ref") or r.get("speaker") or ""
            head = f"[{r['question']} | {who}]\n"
            parts.append(head)
            pos += len(head)
            offsets.append({"response_id": r["response_id"], "source_file": source_file, "offset": pos})
            parts.append(r["text"] + "\n\n")
            pos += len(r["text"]) + 2
        sources.append({"source_file": source_file, "guid": guid("source", source_file), "text": "".join(parts)})
    return pd.DataFrame(sources), pd.DataFrame(offsets, columns=["response_id", "source_file", "offset"])


def statement_spans(statements: pd.DataFrame, offsets: pd.DataFrame) -> pd.DataFrame:
    """Each statement's span in its source: ``statement_id, source_file, start, end``."""
    df = statements[["statement_id", "response_id", "char_start", "char_end"]].merge(offsets, on="response_id")
    return pd.DataFrame({"statement_id": df["statement_id"], "source_file": df["source_file"],
                         "start": df["offset"] + df["char_start"], "end": df["offset"] + df["char_end"]})


def statement_codings(statements: pd.DataFrame, codes: pd.DataFrame, statement_topics: pd.DataFrame | None,
                      nodes: list[CodeNode]) -> dict[str, list[str]]:
    """The code GUIDs of each statement: its areas (a sub-theme instead when it has one), theme, stance, suggestion."""
    by_ref = {(n.kind, n.ref): n.guid for root in nodes for n in root.walk() if n.kind != "group"}
    out: dict[str, list[str]] = {sid: [] for sid in statements["statement_id"]}
    for r in codes.to_dict("records"):
        key = ("subtheme", r["subtheme"]) if r.get("subtheme") else ("area", r["code"])
        if key in by_ref and r["statement_id"] in out:
            out[r["statement_id"]].append(by_ref[key])
    if statement_topics is not None:
        for sid, topic in zip(statement_topics["statement_id"], statement_topics["topic"], strict=True):
            if ("emergent", str(topic)) in by_ref and sid in out:
                out[sid].append(by_ref[("emergent", str(topic))])
    for sid, stance, sugg in zip(statements["statement_id"], statements["stance"], statements["is_suggestion"],
                                 strict=True):
        if ("stance", stance) in by_ref:
            out[sid].append(by_ref[("stance", stance)])
        if bool(sugg):
            out[sid].append(by_ref[("suggestion", "suggestion")])
    return out


def _q(tag: str, ns: str = NS) -> str:
    return f"{{{ns}}}{tag}"


def _code_element(parent: etree._Element, node: CodeNode, ns: str) -> None:
    el = etree.SubElement(parent, _q("Code", ns), guid=node.guid, name=node.name,
                          isCodable="true" if node.codable else "false")
    if node.color:
        el.set("color", node.color)
    if node.description:
        etree.SubElement(el, _q("Description", ns)).text = node.description
    for child in node.children:
        _code_element(el, child, ns)


def codebook_xml(nodes: list[CodeNode], origin: str) -> bytes:
    """The code system alone as a REFI-QDA codebook (``.qdc``)."""
    root = etree.Element(_q("CodeBook", NS_CODEBOOK), nsmap={None: NS_CODEBOOK}, origin=origin)
    codes = etree.SubElement(root, _q("Codes", NS_CODEBOOK))
    for node in nodes:
        _code_element(codes, node, NS_CODEBOOK)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


VARIABLES = [("case type", "Text"), ("organisation", "Text"), ("cohort", "Text"), ("police force area", "Text"),
             ("engagement method", "Text"), ("participants", "Integer"), ("language", "Text"),
             ("date received", "Text")]


def _variable_value(parent: etree._Element, name: str, value: Any) -> None:
    if value is None or value == "" or (not isinstance(value, str) and pd.isna(value)):
        return
    kind = dict(VARIABLES)[name]
    vv = etree.SubElement(parent, _q("VariableValue"))
    etree.SubElement(vv, _q("VariableRef"), targetGUID=guid("variable", name))
    etree.SubElement(vv, _q("IntegerValue" if kind == "Integer" else "TextValue")).text = str(
        int(value) if kind == "Integer" else value)


def cases(returns: pd.DataFrame) -> list[dict[str, Any]]:
    """One case per organisation, cohort and police force area: name, attributes and the sources it covers."""
    from pipeline.vocab import split_multi

    out = []
    for org, g in returns.groupby("organisation", sort=True):
        n = pd.to_numeric(g["n_participants"], errors="coerce")
        out.append({"kind": "organisation", "name": org, "sources": sorted(g["source_file"]), "values": {
            "case type": "organisation", "organisation": org,
            "cohort": ";".join(sorted({c for v in g["cohort"] for c in split_multi(v)})),
            "police force area": ";".join(sorted({a for v in g["police_force_area"] for a in split_multi(v)})),
            "engagement method": ";".join(sorted(set(g["engagement_method"]))),
            "participants": int(n.sum()) if n.notna().any() else None}})
    for kind, col in (("cohort", "cohort"), ("police force area", "police_force_area")):
        groups: dict[str, list[str]] = {}
        for value, source in zip(returns[col], returns["source_file"], strict=True):
            for v in split_multi(value):
                groups.setdefault(v, []).append(source)
        out += [{"kind": kind, "name": f"{kind}: {v}", "sources": sorted(set(s)),
                 "values": {"case type": kind, kind: v}} for v, s in sorted(groups.items())]
    return out


@dataclass
class ProjectInput:
    """What the export needs (all from ``data/processed/<c>/``)."""

    name: str
    responses: pd.DataFrame
    statements: pd.DataFrame
    codes: pd.DataFrame
    returns: pd.DataFrame
    codebook: Any
    topics: pd.DataFrame | None = None
    statement_topics: pd.DataFrame | None = None
    created: str = ""


def _users_and_codebook(root: etree._Element, nodes: list[CodeNode]) -> None:
    users = etree.SubElement(root, _q("Users"))
    etree.SubElement(users, _q("User"), guid=guid("user", PIPELINE_USER), name=PIPELINE_USER)
    codes = etree.SubElement(etree.SubElement(root, _q("CodeBook")), _q("Codes"))
    for node in nodes:
        _code_element(codes, node, NS)
    variables = etree.SubElement(root, _q("Variables"))
    for name, kind in VARIABLES:
        etree.SubElement(variables, _q("Variable"), guid=guid("variable", name), name=name, typeOfVariable=kind)


def _cases_element(root: etree._Element, returns: pd.DataFrame) -> None:
    el = etree.SubElement(root, _q("Cases"))
    for case in cases(returns):
        c = etree.SubElement(el, _q("Case"), guid=guid("case", case["kind"], case["name"]), name=case["name"])
        for name, value in case["values"].items():
            _variable_value(c, name, value)
        for source in case["sources"]:
            etree.SubElement(c, _q("SourceRef"), targetGUID=guid("source", source))


def build_project(data: ProjectInput) -> tuple[bytes, dict[str, str], pd.DataFrame]:
    """The project: ``(project.qde XML, {internal file name: source text}, selections table)``.

    The selections table has one row per statement: ``statement_id, source_file, start, end, n_codes``.
    """
    nodes = code_system(data.codebook, data.topics, sorted(set(data.statements["stance"]) - {""}))
    sources, offsets = build_sources(data.responses)
    spans = statement_spans(data.statements, offsets)
    codings = statement_codings(data.statements, data.codes, data.statement_topics, nodes)
    created = data.created or dt.datetime.now(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    user = guid("user", PIPELINE_USER)
    root = etree.Element(_q("Project"), nsmap={None: NS}, name=data.name, origin="cjiw-pipeline",
                         creatingUserGUID=user, creationDateTime=created)
    _users_and_codebook(root, nodes)
    _cases_element(root, data.returns)
    meta = data.returns.set_index("source_file")
    src_el = etree.SubElement(root, _q("Sources"))
    files: dict[str, str] = {}
    for s in sources.to_dict("records"):
        inner = f"{s['guid']}.txt"
        files[inner] = s["text"]
        el = etree.SubElement(src_el, _q("TextSource"), guid=s["guid"], name=s["source_file"],
                              plainTextPath=f"internal://{inner}", creatingUser=user, creationDateTime=created)
        for sel in spans[spans["source_file"] == s["source_file"]].sort_values("start").to_dict("records"):
            p = etree.SubElement(el, _q("PlainTextSelection"), guid=guid("selection", sel["statement_id"]),
                                 name=sel["statement_id"], startPosition=str(sel["start"]),
                                 endPosition=str(sel["end"]), creatingUser=user, creationDateTime=created)
            for code_guid in codings.get(sel["statement_id"], []):
                c = etree.SubElement(p, _q("Coding"), guid=guid("coding", sel["statement_id"], code_guid),
                                     creatingUser=user, creationDateTime=created)
                etree.SubElement(c, _q("CodeRef"), targetGUID=code_guid)
        if s["source_file"] in meta.index:
            m = meta.loc[s["source_file"]]
            for name, col in (("organisation", "organisation"), ("cohort", "cohort"),
                              ("police force area", "police_force_area"), ("engagement method", "engagement_method"),
                              ("language", "language"), ("date received", "date_received")):
                _variable_value(el, name, m[col])
    _project_note(root, data, created, user)
    xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return xml, files, spans.assign(n_codes=spans["statement_id"].map(lambda s: len(codings.get(s, []))))


def _project_note(root: etree._Element, data: ProjectInput, created: str, user: str) -> None:
    text = (f"Exported by the CJIW consultation analysis pipeline ({data.name}) on {created}. Each source is one "
            "return file's answers, with personal data redacted; each selection is one statement, coded with its "
            "priority areas (or sub-theme), emergent theme, stance and whether it proposes an action. Code in this "
            "project, export it as REFI-QDA (.qdpx) and run `make qdpx-import FILE=...`: the codings become the "
            "analyst's decisions, as in the review sheet.")
    note_guid = guid("note", "project", data.name)
    notes = etree.SubElement(root, _q("Notes"))
    note = etree.SubElement(notes, _q("Note"), guid=note_guid, name="About this project", creatingUser=user,
                            creationDateTime=created)
    etree.SubElement(note, _q("PlainTextContent")).text = text
    etree.SubElement(root, _q("NoteRef"), targetGUID=note_guid)


def write_qdpx(path: Path, xml: bytes, files: Mapping[str, str]) -> None:
    """Zip ``project.qde`` and ``sources/<guid>.txt`` (UTF-8) into a ``.qdpx``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", xml)
        for name, text in sorted(files.items()):
            z.writestr(f"sources/{name}", text.encode("utf-8"))


def validate(xml: bytes, schema: str = "project") -> list[str]:
    """Errors of ``xml`` against the bundled REFI-QDA schema subset (``schemas/<schema>.xsd``); empty when valid."""
    xsd = etree.XMLSchema(etree.parse(str(SCHEMA_DIR / f"{schema}.xsd")))
    doc = etree.parse(io.BytesIO(xml))
    return [] if xsd.validate(doc) else [f"line {e.line}: {e.message}" for e in xsd.error_log]


# --- import -----------------------------------------------------------------------------------


@dataclass
class ReadProject:
    """What an imported project holds: its codes, sources (with text) and coded selections."""

    codes: pd.DataFrame  # guid, name, parent_guid, codable
    sources: pd.DataFrame  # guid, name, text
    selections: pd.DataFrame  # source_guid, start, end, code_guid, user_guid


def read_project(data: bytes) -> ReadProject:
    """Read a ``.qdpx`` (bytes of the zip): the codes, the sources' plain text and every coded selection."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        root = etree.fromstring(z.read("project.qde"))
        names = {n.lower(): n for n in z.namelist()}

        def text_of(src: etree._Element) -> str:
            content = src.find(_q("PlainTextContent"))
            if content is not None:
                return content.text or ""
            path = src.get("plainTextPath", "")
            inner = path.split("internal://", 1)[-1]
            member = names.get(f"sources/{inner}".lower())
            return z.read(member).decode("utf-8-sig") if member else ""

        sources = [{"guid": s.get("guid", "").upper(), "name": s.get("name", ""), "text": text_of(s)}
                   for s in root.iter(_q("TextSource"))]
    codes = [{"guid": c.get("guid", "").upper(), "name": c.get("name", ""),
              "parent_guid": (c.getparent().get("guid", "") or "").upper() if c.getparent().tag == _q("Code") else "",
              "codable": c.get("isCodable", "true") == "true"} for c in root.iter(_q("Code"))]
    selections = []
    for src in root.iter(_q("TextSource")):
        for sel in src.iter(_q("PlainTextSelection")):
            for coding in sel.iter(_q("Coding")):
                ref = coding.find(_q("CodeRef"))
                selections.append({"source_guid": src.get("guid", "").upper(), "start": int(sel.get("startPosition")),
                                   "end": int(sel.get("endPosition")),
                                   "code_guid": (ref.get("targetGUID", "") if ref is not None else "").upper(),
                                   "user_guid": (coding.get("creatingUser") or sel.get("creatingUser") or "").upper()})
    return ReadProject(pd.DataFrame(codes, columns=["guid", "name", "parent_guid", "codable"]),
                       pd.DataFrame(sources, columns=["guid", "name", "text"]),
                       pd.DataFrame(selections, columns=["source_guid", "start", "end", "code_guid", "user_guid"]))
