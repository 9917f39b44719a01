"""Every stage, in order, on a tiny consultation: each reads what the one before wrote, through the catalog.

The consultation is two notes files, one EDI table and a two-line draft plan; the coder learns from
the codebook alone (``coding.training_files: []`` in a copy of the config), so the whole chain runs
in about a minute once the embedding model is cached.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from pipeline import catalog
from pipeline.cli import app
from pipeline.config import CONFIG_DIR

NOTES = {
    "north.txt": """1. HAVE WE LISTENED?
P1: No, nobody came back to tell us what happened with what we said last time.
P2: They listened a bit but the youth club still closed and nothing changed for us.
P3: Not really, the police stop and search my brother every week on the way to school.
2. HAVE WE CORRECTLY INTERPRETED THE CHALLENGES?
P1: The plan forgets that there are no interpreters at the police station for my mum.
P2: It's right about racism in schools, teachers never do anything when kids are abused.
3. HAVE WE FOUND THE SOLUTIONS?
P3: Recruit more Black officers and train the ones we have about our culture.
P4: Put youth workers in the estate, not more police cars.
""",
    "south.txt": """1. HAVE WE LISTENED?
P1: Yes, I could see our words in the draft, especially about stop and search.
P2: Partly. The sites have no water and the council moves us on every month.
2. HAVE WE CORRECTLY INTERPRETED THE CHALLENGES?
P1: Online abuse is the worst of it and the plan does not mention it once.
P3: Prison officers treat Muslim prisoners differently at prayer times.
3. HAVE WE FOUND THE SOLUTIONS?
P2: Publish the stop and search figures by ethnicity every year so we can check.
P4: Fund mental health support that understands racism.
""",
}
PLAN = "# Draft plan\n\n## Promote fairness\n\n- We will publish stop and search figures by ethnicity every year.\n" \
       "- We will recruit more officers from minority ethnic communities.\n"
EDI = "measure,area,period,ethnicity,count,denominator,rate,unit,source,notes\n" \
      "stop_and_search,Gwent,2021,Black,100,8758,,\"per 1,000 population\",fixture,\n" \
      "stop_and_search,Gwent,2021,White,2000,552430,,\"per 1,000 population\",fixture,\n"


@pytest.fixture
def consultation(tmp_path):
    raw = tmp_path / "raw" / "tiny"
    (raw / "edi").mkdir(parents=True)
    (raw / "plans").mkdir()
    for name, text in NOTES.items():
        (raw / name).write_text(text, encoding="utf-8")
    (raw / "returns.csv").write_text("file,organisation,cohort,police_force_area,engagement_method\n"
                                     "north.txt,North Group,youth_justice,Gwent,focus_group\n"
                                     "south.txt,South Group,gypsy_roma_traveller,South Wales,focus_group\n",
                                     encoding="utf-8")
    (raw / "edi" / "stops.csv").write_text(EDI, encoding="utf-8")
    (raw / "plans" / "draft_v1.md").write_text(PLAN, encoding="utf-8")
    config = tmp_path / "config"
    shutil.copytree(CONFIG_DIR, config)
    settings = yaml.safe_load((config / "settings.yaml").read_text(encoding="utf-8"))
    settings["coding"]["training_files"] = []
    (config / "settings.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return raw, tmp_path / "out", tmp_path / "reports", config


@pytest.mark.slow
def test_every_stage_runs_on_a_tiny_consultation(consultation):
    raw, out, reports, config = consultation
    paths = ["--raw", str(raw), "--out", str(out), "--reports", str(reports)]
    for command in ("ingest", "code", "topics", "triangulate", "plan-check"):
        result = CliRunner().invoke(app, [command, *paths, "--config", str(config)])
        assert result.exit_code == 0, f"{command}: {result.output}"
    result = CliRunner().invoke(app, ["report", *paths])
    assert result.exit_code == 0, f"report: {result.output}"
    for name, entry in catalog.TABLES.items():
        if entry.stage in ("ingest", "code", "topics", "triangulate", "plan-check") and entry.schema is not None:
            catalog.validate(name, catalog.read(name, out))  # every table as the contract says
    responses, statements = catalog.read("responses", out), catalog.read("statements", out)
    ledger = catalog.read("ingest_ledger", out)
    files = ledger[ledger["file"].isin(list(NOTES))].groupby("file").head(1)
    assert len(files) == 2 and files["status"].eq("accepted").all()
    assert len(responses) == files["rows_accepted"].sum() >= 12  # every answer line but the blank ones
    assert set(statements["response_id"]) <= set(responses["response_id"])
    assert set(catalog.read("codes", out)["statement_id"]) == set(statements["statement_id"])
    assert len(catalog.read("triangulation", out)) > 0
    assert catalog.read("action_evidence", out)["action_id"].nunique() == 2
    assert (reports / "plan_check" / "you_said_plan_says.html").exists()
    assert any(reports.glob("theme_report.*"))
    record = yaml.safe_load((out / "code.config.yaml").read_text(encoding="utf-8"))
    assert record["settings"]["coding"]["training_files"] == []  # --config was used, not config/
    assert isinstance(pd.read_parquet(out / "statement_topics.parquet"), pd.DataFrame)
