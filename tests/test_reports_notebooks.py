"""Tests for the organisation notebook, pipeline.reports.organisation and the `notebooks` command."""

import ast
import os
import re

import nbformat
import pandas as pd
import pytest
import typer
from testkit.reports import COMMUNITY, PRISON, TRAVELLER, YOUTH, make_tables, write_processed
from typer.testing import CliRunner

from pipeline import config
from pipeline.reports import organisation as org
from pipeline.reports import tables as T
from pipeline.reports.cli import notebooks_command
from pipeline.reports.notebooks import organisation_slugs

NOTEBOOK = config.NOTEBOOKS_DIR / "organisation_report.ipynb"
PARAMETERS = {"consultation", "organisation", "processed_dir", "output_dir", "min_count"}


def test_notebook_is_stored_without_outputs_and_has_a_parameters_cell():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assigned = {t.id for node in ast.parse(tagged[0].source).body for t in node.targets}
    assert assigned == PARAMETERS


def test_notebook_cells_only_call_pipeline_functions():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code" or "parameters" in cell.metadata.get("tags", []):
            continue
        tree = ast.parse(cell.source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                assert (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "org"
                ), f"cell calls something other than pipeline.reports.organisation: {ast.unparse(node)}"
            if isinstance(node, ast.ImportFrom):
                assert node.module == "pipeline.reports"


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    return write_processed(tmp_path_factory.mktemp("processed"))


def test_prepare_refuses_an_unknown_organisation(processed):
    with pytest.raises(org.OrganisationNotFoundError, match="Organisations found: .*Cymru Youth Voice"):
        org.prepare("fixture", "Nobody Here", processed, 5)


def test_organisation_figures(processed):
    ctx = org.prepare("fixture", PRISON, processed, 5)
    who = org.who_took_part(ctx)
    assert list(who["n_participants"]) == [12] and list(who["cohort"]) == ["People in prison"]
    assert list(who["engagement_method"]) == ["Survey"]  # the vocabulary's label, not its id
    said = org.what_was_said(ctx)
    mine = make_tables()["statements"].query("organisation == @PRISON")
    assert set(said["question"]) == {"Listened", "Interpreted the challenges", "Solutions", "Other comments"}
    assert all(v == "<5" or v == 0 for v in said["n_statements"])  # every cell is small in the fixture
    quotes = org.quotes(ctx)
    assert 0 < len(quotes) <= 5
    assert not quotes["text"].str.contains("CF10").any()
    assert set(quotes["text"]) <= set(mine["text"])
    compare = org.compare_with_consultation(ctx)
    assert list(compare["code"])[:7] == [f"PA{i}" for i in range(1, 8)]
    themes = org.emergent_themes(ctx)
    assert list(themes["label"]) == ["Housing and work on release"]
    chart = org.stance_chart(ctx)
    assert chart.png and chart.alt
    assert "<caption>Who</caption>" in org.to_html(who, "Who")


def test_small_groups_are_never_quoted_in_their_own_report(processed):
    for name in (TRAVELLER, COMMUNITY):
        ctx = org.prepare("fixture", name, processed, 5)
        assert org.quotes(ctx).empty and org.suggestions(ctx).empty
    # with a threshold of 3 the Traveller group (3 participants, 5 statements) may be quoted
    assert not org.quotes(org.prepare("fixture", TRAVELLER, processed, 3)).empty


def test_slugs_are_distinct():
    slugs = organisation_slugs(["A & B", "A-B", "Cymru Youth Voice"])
    assert slugs["Cymru Youth Voice"] == "cymru-youth-voice"
    assert len(set(slugs.values())) == 3


def test_a_failing_organisation_is_reported_and_does_not_stop_the_rest(tmp_path, processed):
    app = typer.Typer()
    app.command()(notebooks_command)
    reports = tmp_path / "reports"
    args = ["--out", str(processed), "--reports", str(reports), "--consultation", "fixture"]
    # "Nobody Here" sorts between the two real organisations, so a failure in the middle is exercised.
    for name in (YOUTH, "Nobody Here", PRISON):
        args += ["--organisation", name]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "2 succeeded, 1 failed" in result.output
    summary = pd.read_csv(reports / "organisations" / "notebooks_summary.csv")
    status = dict(zip(summary["organisation"], summary["status"], strict=True))
    assert status == {YOUTH: "succeeded", "Nobody Here": "failed", PRISON: "succeeded"}
    error = summary.loc[summary["organisation"] == "Nobody Here", "error"].iloc[0]
    assert "OrganisationNotFoundError" in error and "has no statements" in error
    html = (reports / "organisations" / "prison-link-cymru.html").read_text(encoding="utf-8")
    assert "What your participants told us: Prison Link Cymru" in html
    assert "org.prepare" not in html  # code cells are hidden
    assert "CF10 1AB" not in html
    executed = nbformat.read(reports / "organisations" / "prison-link-cymru.ipynb", as_version=4)
    assert any(c.get("outputs") for c in executed.cells if c.cell_type == "code")
    assert (reports / "notebooks.config.yaml").exists()
    strict = CliRunner().invoke(app, [*args[:6], "--organisation", "Nobody Here", "--strict"])
    assert strict.exit_code == 1 and "FAILED Nobody Here" in strict.output


def test_suppressed_shares_in_the_comparison():
    assert org._share(3, 10, 5) == "<5 statements"
    assert org._share(6, 12, 5) == "50% (6)"
    assert org._pct(0.5, 4, 5) == "–"
    assert T.suppression_note(5).startswith("Counts from 1 to 4")


def test_to_html_shows_missing_values_including_pandas_na_as_empty_cells():
    """Nullable integer columns (suppressed counts) hold pd.NA, which cannot be tested for truth."""
    import pandas as pd

    from pipeline.reports.organisation import to_html

    df = pd.DataFrame({"n": pd.array([7, None], dtype="Int64"), "t": ["a", None], "x": [1.5, float("nan")]})
    out = to_html(df, "Counts")
    assert "<caption>Counts</caption>" in out
    assert out.count("></td>") == 3
    assert '<td style="text-align:right">7</td>' in out and '<td style="text-align:left">a</td>' in out


def test_to_html_aligns_words_left_and_counts_right():
    """Jupyter right-aligns every cell; text columns must read left-aligned, counts stay right."""
    import pandas as pd

    from pipeline.reports.organisation import to_html

    df = pd.DataFrame({"label": ["Stop and search", "Interpreters"], "n": ["<5", "12"],
                       "share": ["50% (6)", "–"], "code": ["PA6", "PA1"]})
    out = to_html(df, "Themes")
    assert '<th scope="col" style="text-align:left">Theme</th>' in out  # "label" reads "Theme"
    assert '<th scope="col" style="text-align:right">N</th>' in out
    cells = re.findall(r'<td style="text-align:(\w+)">([^<]*)</td>', out)
    assert dict((v, a) for a, v in cells) == {
        "Stop and search": "left", "Interpreters": "left", "&lt;5": "right", "12": "right",
        "50% (6)": "right", "–": "right", "PA6": "left", "PA1": "left"}


def test_notebooks_run_at_most_one_per_core_and_never_more_than_the_organisations():
    from pipeline.reports.notebooks import notebook_jobs

    assert notebook_jobs(1, 200) == 1
    assert notebook_jobs(8, 3) == 3
    assert 1 <= notebook_jobs(None, 200) <= (os.cpu_count() or 1)
    assert notebook_jobs(None, 0) == 1
