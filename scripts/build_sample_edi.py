"""Build the bundled sample's equality (EDI) tables from the published figures in ../shared/data/edi/.

Converts the real, published Welsh statistics collected in ``/work/shared/data/edi/`` (see its
SOURCES.md) into the tidy EDI format of docs/edi-format.md, one CSV per topic, under
``data/raw/sample/edi/``. Every row keeps its source and its caveats (``notes``). Nothing is
invented: a figure the sources do not give is simply absent; text-only figures ("nearly seven
times") are not turned into numbers. Derived rows (sums over local authorities or forces) say so.

Run:  .venv/bin/python scripts/build_sample_edi.py [--src DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SRC = Path("/work/shared/data/edi")
DEFAULT_OUT = ROOT / "data" / "raw" / "sample" / "edi"
COLUMNS = ["measure", "area", "period", "ethnicity", "count", "denominator", "rate", "unit", "source", "notes"]
FORCES = ["Dyfed-Powys", "Gwent", "North Wales", "South Wales"]

CENSUS21_NOTE = (
    "Census 2021 usual residents (ONS TS021) as aggregated by Black Thrive, summed over local authorities per police "
    "force area. Caveat: Black Thrive appears to have moved some White subgroups (probably Gypsy/Irish Traveller "
    "and/or Roma) into Other, so White is about 1,100-1,400 lower per force than ONS's own figures."
)
CENSUS11_NOTE = "Census 2011 usual residents (Nomis QS201EW) summed to police force area by the repository author."
STOPS_SOURCE = (
    "police.uk open-data stop and search records counted per local authority by Black Thrive "
    "(github:BlackThrive/ExtractSS data/2023-06-02 - summarised_stops_2019-2021.csv @47869ed972f4cb71c76265cf957f6e995fb27a98); "
    "summed per police force area by scripts/build_sample_edi.py"
)
STOPS_NOTE = (
    "Calendar year. police.uk open-data records, not the Home Office accredited 'Police powers and procedures' "
    "statistic. 'Black' includes the Mixed White and Black groups (its population is Census 2021 Black + Mixed Black). "
    "Denominator = Census 2021 population summed over the force's local authorities."
)
UOF_NOTE = (
    "Officer-perceived ethnicity. Counts of tactics used, not of people or incidents (one incident can involve "
    "several tactics); total excludes tactical communication and tactics not reported."
)

# Published-reports file: its measure names -> the sample's measure names (None = not carried, with why).
PUBLISHED_MEASURES: dict[str, str | None] = {
    "stop_and_search_rate": "stop_and_search",
    "stop_and_search_count": "stop_and_search",
    "stop_and_search_disparity": "stop_and_search",
    "stop_and_search_share_of_searches": "stop_and_search",
    "arrest_rate": "arrests",
    "arrest_count": "arrests",
    "arrest_disparity": "arrests",
    "use_of_force_tactics": "use_of_force",
    "use_of_force_disparity": "use_of_force",
    "covid_fixed_penalty_notices": "covid_fixed_penalty_notices",
    "imprisonment_rate_welsh_prisoners": "imprisonment",
    "prison_population_share": "imprisonment",
    "children_in_custody_share": "youth_custody",
    "youth_custody_rate": "youth_custody",
    "youth_custody_share": "youth_custody",
    "race_hate_crimes_recorded": "hate_crime_race",
    "hate_crimes_recorded_by_strand": "hate_crime_race",
    "racially_or_religiously_aggravated_offences": "racially_or_religiously_aggravated_offences",
    "hate_crimes_recorded": "hate_crime_all_strands",
    "police_officers_ethnic_minority": "workforce_police_officers",
    "police_officers_bme_share": "workforce_police_officers",
    "police_officers_bame": "workforce_police_officers",
}
AREAS = {
    "Wales (all four forces)": "All Wales",
    "Wales": "All Wales",
    "Wales (prisoners from Wales)": "All Wales",
    "Wales (four PFAs)": "All Wales",
    "Wales (total)": "All Wales",
    "England": "England",
    "England and Wales": "England and Wales",
    **{f: f for f in FORCES},
}
RATIO_UNIT = "ratio to White (published)"


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _row(**kw: object) -> dict[str, str]:
    return {c: "" if kw.get(c) is None else str(kw.get(c, "")) for c in COLUMNS}


def population_rows(src: Path) -> list[dict[str, str]]:
    """Census 2021 (by force, Black Thrive groups) and Census 2011 (by force, 5+1 groups), with derived totals."""
    rows = []
    totals: dict[str, int] = defaultdict(int)
    by_group: dict[str, int] = defaultdict(int)
    for r in _read(src / "census2021_ethnicity_wales_pfa_derived.csv"):
        count = int(r["count"])
        rows.append(_row(measure="population", area=r["area"], period="2021", ethnicity=r["ethnicity"], count=count,
                         unit="persons", source=f"Census 2021 (ONS TS021) via {r['source']}", notes=CENSUS21_NOTE))
        totals[r["area"]] += count
        by_group[r["ethnicity"]] += count
    src21 = "Census 2021 (ONS TS021) via census2021_ethnicity_wales_pfa_derived.csv; DERIVED: summed by scripts/build_sample_edi.py"
    for area in FORCES:
        rows.append(_row(measure="population", area=area, period="2021", ethnicity="All", count=totals[area],
                         unit="persons", source=src21, notes="DERIVED: sum of the seven groups. " + CENSUS21_NOTE))
    for group, count in sorted(by_group.items()):
        rows.append(_row(measure="population", area="All Wales", period="2021", ethnicity=group, count=count,
                         unit="persons", source=src21, notes="DERIVED: sum of the four police force areas. " + CENSUS21_NOTE))
    rows.append(_row(measure="population", area="All Wales", period="2021", ethnicity="All", count=sum(totals.values()),
                     unit="persons", source=src21, notes="DERIVED: sum of the four police force areas. " + CENSUS21_NOTE))
    top_level = {"All categories: Ethnic group", "White", "Mixed", "Asian", "Black", "Other"}
    for r in _read(src / "census2011_ethnicity_wales_pfa.csv"):
        if r["ethnicity"] in top_level:
            note = CENSUS11_NOTE + (" White includes Gypsy or Irish Traveller." if r["ethnicity"] == "White" else "")
            rows.append(_row(measure="population", area=r["area"], period="2011", ethnicity=r["ethnicity"],
                             count=r["count"], unit="persons", source=f"Census 2011 (Nomis QS201EW) via {r['source']}",
                             notes=note))
    return rows


def stop_search_rows(src: Path) -> list[dict[str, str]]:
    """police.uk stop and search counts per LA, summed per force and calendar year (Black, White)."""
    sums: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in _read(src / "stopsearch_policeuk_black_white_wales_la_2019_2021.csv"):
        for label, prefix in (("Black_incl_Mixed_Black", "Black"), ("White", "White")):
            for area in (r["force"], "All Wales"):
                cell = sums[(area, r["date"], label)]
                cell[0] += int(r[f"{prefix}_stopped"])
                cell[1] += int(r[f"{prefix}_population"])
    rows = []
    for (area, year, label), (stopped, pop) in sorted(sums.items()):
        note = STOPS_NOTE + (" DERIVED: sum of the four police force areas." if area == "All Wales" else "")
        rows.append(_row(measure="stop_and_search", area=area, period=year, ethnicity=label, count=stopped,
                         denominator=pop, unit="per 1,000 population", source=STOPS_SOURCE, notes=note))
    return rows


def use_of_force_rows(src: Path) -> list[dict[str, str]]:
    """Home Office use of force, total tactics by officer-perceived ethnicity, per force and All Wales."""
    keep = [r for r in _read(src / "use_of_force_by_ethnicity_wales_forces.csv")
            if r["type_of_force"].startswith("Total (excluding") and r["tactic"] == "*Total Tactics"]
    rows = []
    wales: dict[tuple[str, str], int] = defaultdict(int)
    totals: dict[tuple[str, str], int] = {}
    for r in keep:
        rows.append(_row(measure="use_of_force", area=r["area"], period=r["period"], ethnicity=r["ethnicity"],
                         count=r["count"], unit="per 1,000 population", source=r["source"], notes=UOF_NOTE))
        wales[(r["period"], r["ethnicity"])] += int(r["count"])
        totals[(r["area"], r["period"])] = int(r["total_all_ethnicities"])
    for (area, period), total in sorted(totals.items()):
        rows.append(_row(measure="use_of_force", area=area, period=period, ethnicity="All", count=total,
                         unit="per 1,000 population", source=keep[0]["source"].split(" @")[0] + " (total_all_ethnicities)",
                         notes=UOF_NOTE))
    src_w = "Home Office Police use of force statistics via Resistance-Lab/resistancelab_data; DERIVED: summed over the four forces by scripts/build_sample_edi.py"
    for (period, eth), count in sorted(wales.items()):
        rows.append(_row(measure="use_of_force", area="All Wales", period=period, ethnicity=eth, count=count,
                         unit="per 1,000 population", source=src_w, notes=UOF_NOTE + " DERIVED: sum of the four forces."))
    for period in sorted({p for (_, p) in totals}):
        total = sum(t for (_, p), t in totals.items() if p == period)
        rows.append(_row(measure="use_of_force", area="All Wales", period=period, ethnicity="All", count=total,
                         unit="per 1,000 population", source=src_w, notes=UOF_NOTE + " DERIVED: sum of the four forces."))
    return rows


def published_rows(src: Path) -> tuple[list[dict[str, str]], list[str]]:
    """Figures quoted in published reports and news, carried as published (with their source type as a caveat)."""
    raw = _read(src / "wales_cjs_race_figures_from_published_reports.csv")
    skipped: list[str] = []
    # A published ratio is carried only where the White figure it was computed from is not in the file.
    white_rates = {(r["measure"].split("_")[0], r["area"], r["period"], r["rate_unit"])
                   for r in raw if r["ethnicity"] == "White" and (r["rate"] or r["count"])}
    rows = []
    for r in raw:
        measure = PUBLISHED_MEASURES.get(r["measure"])
        area = AREAS.get(r["area"])
        what = f"{r['measure']} / {r['area']} / {r['period']} / {r['ethnicity']}"
        if measure is None or area is None:
            skipped.append(f"{what}: not an ethnicity measure the plan uses, or area not stated")
            continue
        if r["measure"] == "hate_crimes_recorded_by_strand" and "strand: race" not in r["notes"]:
            skipped.append(f"{what}: hate crime strand other than race")
            continue
        source = f"{r['source_type']}: {r['source_url']}"
        notes = [n for n in (r["notes"],) if n]
        if r["area"] != area:
            notes.append(f"area as published: {r['area']}")
        if "news" in r["source_type"] or "newspaper" in r["source_type"]:
            notes.append("news-reported figure: check the original release before quoting")
        if "student" in r["source_type"]:
            notes.append("low-grade source (student paper citing StopWatch)")
        if r["ratio_text"]:
            notes.append(f"as published: {r['ratio_text']}")
        count, denom, rate, unit = r["count"], r["denominator"], r["rate"], r["rate_unit"]
        if measure == "workforce_police_officers" and not unit:
            unit = "percent of officers"
        if count and denom:
            if rate:
                notes.append(f"published rate: {rate} {unit}")
            rate = ""
        if count or rate:
            rows.append(_row(measure=measure, area=area, period=r["period"], ethnicity=r["ethnicity"], count=count,
                             denominator=denom, rate=rate, unit=unit or "count", source=source, notes="; ".join(notes)))
        elif not r["ratio_vs_white"]:
            skipped.append(f"{what}: text only ({r['ratio_text'] or 'no figure'})")
        if r["ratio_vs_white"]:
            key = (r["measure"].split("_")[0], r["area"], r["period"], r["rate_unit"])
            if key in white_rates and "population" in r["rate_unit"]:
                skipped.append(f"{what}: published ratio {r['ratio_vs_white']} recomputed from the published rates instead")
                continue
            rows.append(_row(measure=measure, area=area, period=r["period"], ethnicity=r["ethnicity"],
                             rate=r["ratio_vs_white"], unit=RATIO_UNIT, source=source,
                             notes="; ".join(notes + [f"ratio of {unit or 'rates'} to White, as published"])))
    return rows, skipped


def build(src: Path) -> tuple[dict[str, list[dict[str, str]]], list[str]]:
    """Return the sample's EDI tables (file name -> rows) and what was left out, with reasons."""
    published, skipped = published_rows(src)
    by_measure: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in published:
        by_measure[r["measure"]].append(r)
    files = {
        "population.csv": population_rows(src),
        "stop_and_search.csv": stop_search_rows(src) + by_measure.pop("stop_and_search", []),
        "use_of_force.csv": use_of_force_rows(src) + by_measure.pop("use_of_force", []),
        "arrests.csv": by_measure.pop("arrests", []),
        "workforce.csv": by_measure.pop("workforce_police_officers", []),
        "imprisonment.csv": by_measure.pop("imprisonment", []) + by_measure.pop("youth_custody", []),
        "hate_crime.csv": [r for m in ("hate_crime_race", "racially_or_religiously_aggravated_offences",
                                       "hate_crime_all_strands") for r in by_measure.pop(m, [])],
    }
    files["other_policing.csv"] = [r for rows in by_measure.values() for r in rows]
    return files, skipped


def _num_ok(value: str) -> bool:
    return value == "" or re.fullmatch(r"\d+(\.\d+)?", value) is not None


def main() -> None:
    """Write the tidy EDI CSVs and print what was written and left out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=DEFAULT_SRC, help="folder of the published figures (with SOURCES.md)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder to write the tidy EDI CSVs to")
    args = parser.parse_args()
    files, skipped = build(args.src)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        assert all(r["source"] and _num_ok(r["count"]) and _num_ok(r["rate"]) for r in rows), name
        with open(args.out / name, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        print(f"wrote {args.out / name} ({len(rows)} rows)")
    print(f"left out {len(skipped)} published figures:")
    for s in skipped:
        print("  -", s)


if __name__ == "__main__":
    main()
