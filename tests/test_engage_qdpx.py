"""REFI-QDA round trip on a hand-written consultation: schema, an independent reader, import rules."""

import io
import re
import xml.etree.ElementTree as ET
import zipfile

import pandas as pd
import pytest
from lxml import etree
from testkit.engage import A1, A2, CODES, RESPONSES, RETURNS, STATEMENTS

from pipeline.coding.codebook import parse_codebook
from pipeline.engage import qdpx as Q
from pipeline.engage import qdpx_import as I

CODEBOOK = parse_codebook({"name": "test", "codes": [
    {"id": "PA1", "name": "Challenge racism", "description": "Racism is named and challenged.",
     "subthemes": [{"id": "PA1.hate_crime", "name": "Hate crime"}]},
    {"id": "PA6", "name": "Promote fairness", "description": "Fair treatment and outcomes."},
]})
TOPICS = pd.DataFrame({"topic": [0, 1], "name": ["Stops without reasons", "Reporting hate crime"], "description": ["", ""]})
ST_TOPICS = pd.DataFrame({"statement_id": ["R1-S01", "R1-S02", "R2-S01", "R2-S02"], "topic": [0, 0, 1, 1]})


def _export():
    data = Q.ProjectInput("test", RESPONSES, STATEMENTS, CODES, RETURNS, CODEBOOK, TOPICS, ST_TOPICS,
                          created="2026-03-20T10:00:00Z")
    xml, files, spans = Q.build_project(data)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("project.qde", xml)
        for name, text in files.items():
            z.writestr(f"sources/{name}", text)
    return xml, buf.getvalue()


def _nodes():
    return Q.code_system(CODEBOOK, TOPICS, ["agree", "disagree", "mixed", "unclear"])


def _import(qdpx: bytes, take_all=False):
    sources, offsets = Q.build_sources(RESPONSES)
    return I.import_codings(Q.read_project(qdpx), _nodes(), sources, Q.statement_spans(STATEMENTS, offsets),
                            STATEMENTS, CODES, 0.5, take_all, "t.qdpx")


def test_export_is_valid_against_the_schema_and_the_check_can_fail():
    xml, _ = _export()
    assert Q.validate(xml, "project") == []
    assert Q.validate(Q.codebook_xml(_nodes(), "test"), "codebook") == []
    broken = re.sub(rb'startPosition="\d+"', b'startPosition="zero"', xml, count=1)
    assert broken != xml
    assert Q.validate(broken, "project")
    misordered = etree.fromstring(xml)
    misordered.append(misordered[0])  # Users after Notes: out of the standard's order
    assert Q.validate(etree.tostring(misordered), "project")


def test_an_independent_reader_finds_every_statement_at_its_span():
    """Read with the standard library's ElementTree (not the pipeline's reader)."""
    _, qdpx = _export()
    ns = {"q": Q.NS}
    with zipfile.ZipFile(io.BytesIO(qdpx)) as z:
        root = ET.fromstring(z.read("project.qde"))
        texts = {s.get("guid"): z.read("sources/" + s.get("plainTextPath").removeprefix("internal://")).decode()
                 for s in root.iterfind(".//q:TextSource", ns)}
    code_names = {c.get("guid"): c.get("name") for c in root.iterfind(".//q:Code", ns)}
    by_id = STATEMENTS.set_index("statement_id")["text"]
    found = {}
    for src in root.iterfind(".//q:TextSource", ns):
        for sel in src.iterfind("q:PlainTextSelection", ns):
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            assert texts[src.get("guid")][start:end] == by_id[sel.get("name")]
            found[sel.get("name")] = sorted(code_names[c.find("q:CodeRef", ns).get("targetGUID")]
                                            for c in sel.iterfind("q:Coding", ns))
    assert found["R1-S01"] == ["PA6: Promote fairness", "Stance: disagree", "Theme 0: Stops without reasons"]
    assert found["R2-S01"] == ["PA1.hate_crime: Hate crime", "Stance: unclear", "Theme 1: Reporting hate crime"]
    assert "Suggestion (proposes an action)" in found["R2-S02"]
    cases = {c.get("name") for c in root.iterfind(".//q:Case", ns)}
    assert {"Org A", "Org B", "cohort: prison", "cohort: community", "police force area: Gwent"} <= cases


def test_export_then_import_gives_the_same_statement_code_pairs():
    _, qdpx = _export()
    everything = _import(qdpx, take_all=True)
    got = {(r["statement_id"], c) for r in everything.decisions.to_dict("records") for c in r["codes"].split(";")}
    want = {(s, c) for s, c in zip(CODES["statement_id"], CODES["code"], strict=True) if c != "uncoded"}
    assert got - {(s, "none") for s in STATEMENTS["statement_id"]} == want
    assert everything.decisions.set_index("statement_id").loc["R1-S02", "codes"] == "none"
    assert everything.problems.empty
    assert _import(qdpx).decisions.empty  # nothing changed in the QDA tool: nothing becomes the truth


def _add_analyst_coding(qdpx: bytes, source_name: str, start: int, end: int, code_name: str) -> bytes:
    """Edit the project as a QDA tool would: a new code and a selection coded by another user."""
    with zipfile.ZipFile(io.BytesIO(qdpx)) as z:
        members = {n: z.read(n) for n in z.namelist()}
    root = etree.fromstring(members["project.qde"])
    q = f"{{{Q.NS}}}"
    user = "11111111-2222-3333-4444-555555555555"
    etree.SubElement(root.find(f"{q}Users"), f"{q}User", guid=user, name="analyst")
    codes = root.find(f"{q}CodeBook/{q}Codes")
    known = {c.get("name"): c.get("guid") for c in root.iter(f"{q}Code")}
    target = known.get(code_name)
    if target is None:
        target = "99999999-8888-7777-6666-555555555555"
        etree.SubElement(codes, f"{q}Code", guid=target, name=code_name, isCodable="true")
    src = next(s for s in root.iter(f"{q}TextSource") if s.get("name") == source_name)
    sel = etree.Element(f"{q}PlainTextSelection", guid=f"AAAAAAAA-0000-0000-0000-{start:012d}",
                        startPosition=str(start), endPosition=str(end), creatingUser=user)
    coding = etree.SubElement(sel, f"{q}Coding", guid=f"BBBBBBBB-0000-0000-0000-{start:012d}",
                              creatingUser=user)
    etree.SubElement(coding, f"{q}CodeRef", targetGUID=target)
    src.insert(0, sel)
    members["project.qde"] = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_a_selection_applies_to_statements_it_covers_for_half_their_length_and_new_codes_are_listed():
    _, qdpx = _export()
    sources, offsets = Q.build_sources(RESPONSES)
    head = offsets.set_index("response_id").loc["R2", "offset"]
    # covers all of R2-S01 (29 chars) and 20 of R2-S02's 45 characters (under half): only R2-S01
    edited = _add_analyst_coding(qdpx, "b.csv", head, head + 50, "Housing and homelessness")
    result = _import(edited)
    decided = result.decisions.set_index("statement_id")
    assert list(decided.index) == ["R2-S01"]
    assert decided.loc["R2-S01", "codes"] == "PA1"  # its codebook codes kept, the new code listed apart
    assert result.extra_codes[["statement_id", "code"]].values.tolist() == [["R2-S01", "Housing and homelessness"]]
    assert result.summary["new_codes"] == ["Housing and homelessness"]
    # 25 of R2-S02's 45 characters: over half, so it applies
    edited = _add_analyst_coding(qdpx, "b.csv", head + 25, head + 55, "PA6: Promote fairness")
    decided = _import(edited).decisions.set_index("statement_id")
    assert decided.loc["R2-S02", "codes"] == "PA1;PA6"


def test_selections_on_nothing_and_changed_sources_are_reported_not_dropped():
    _, qdpx = _export()
    edited = _add_analyst_coding(qdpx, "a.docx", 0, 5, "PA1: Challenge racism")  # the header line only
    result = _import(edited)
    assert result.decisions.empty
    assert any("covers no statement" in r for r in result.problems["reason"])
    changed = RESPONSES.assign(text=[A1 + " Edited.", A2])
    sources, offsets = Q.build_sources(changed)
    res = I.import_codings(Q.read_project(qdpx), _nodes(), sources, Q.statement_spans(STATEMENTS, offsets),
                           STATEMENTS, CODES, 0.5, True, "t")
    assert any("text differs" in r for r in res.problems["reason"])
    assert set(res.decisions["statement_id"]) == {"R2-S01", "R2-S02"}


@pytest.mark.parametrize("name,kind", [("PA6: anything", "area"), ("Stance: agree", "stance"),
                                       ("Theme 1: renamed", "emergent"), ("Brand new", "new")])
def test_codes_are_recognised_by_name_when_a_tool_changes_their_guids(name, kind):
    codes = pd.DataFrame({"guid": ["12345678-1234-1234-1234-123456789012"], "name": [name], "parent_guid": [""],
                          "codable": [True]})
    assert I.code_meanings(codes, _nodes()).loc[0, "kind"] == kind
