"""Tests for the topics stage (pipeline.topics): parameters, fallbacks, coverage, disclosure, CLI."""

from __future__ import annotations

import json
from itertools import product

import numpy as np
import pandas as pd
import pytest

from pipeline.topics.model import (
    ReusingUMAP,
    TopicModeller,
    choose_parameters,
    exact_cosine_knn,
    tfidf_keywords,
)
from pipeline.topics.schema import TOPICS_SCHEMA, TopicsSchemaError
from pipeline.topics.stage import (
    PlanComments,
    PriorityAreas,
    make_label,
    model_topics,
    priority_areas,
    select_statements,
    topic_code_shares,
    topic_spread,
    topic_table,
)

# --------------------------------------------------------------------------- fixtures
# Hand-written statements: four priority-area themes and one theme the plan does not name
# (interpreters in custody suites). Each theme is openings x endings, so every text is distinct.
THEMES = {
    "racism": (
        ["The officers were openly racist to us", "Racist comments from staff", "Racial abuse on the wing",
         "Being called racist names by the guards", "Hate crime against our community", "Racism from the police"],
        ["and nothing was done about it.", "and it is ignored by managers.", "happens every single week.",
         "is never challenged by anyone.", "makes us feel worthless."],
    ),
    "workforce": (
        ["There are no Black officers", "None of the staff look like us", "All the senior leaders are white",
         "The police should recruit people from our community", "We need role models working in probation",
         "Hardly any minority ethnic staff get promoted"],
        ["in the youth justice service.", "in the prisons in Wales.", "at any level of the courts.",
         "so young people can trust them.", "and that has to change."],
    ),
    "stopsearch": (
        ["My son gets stopped and searched", "Young Black lads are stopped and searched", "The police search us",
         "We get pulled over and searched", "I was stopped and searched by officers", "They stop and search Asian boys"],
        ["every week walking home from school.", "for no reason at all.", "far more than white kids.",
         "just for standing on the corner.", "because of the colour of our skin."],
    ),
    "youthclubs": (
        ["If there were youth clubs round here", "With more mentoring for young people", "With sport and boxing clubs",
         "If the youth centre had not closed", "With early help for families", "If schools stopped excluding kids"],
        ["kids would stay out of trouble.", "fewer young people would end up in crime.",
         "young people would have something to do.", "children would not be groomed by gangs.",
         "nobody would get drawn into county lines."],
    ),
    "interpreters": (
        ["There was no interpreter in the custody suite", "I waited hours in the cell for an interpreter",
         "The custody sergeant made my son translate for me", "Nobody explained my rights in my own language",
         "They used a phone app instead of a proper interpreter", "The interpreter never turned up at the police station"],
        ["so I did not understand what was happening.", "and I signed papers I could not read.",
         "while I was being booked in.", "after my arrest last year.", "even though I asked for one twice."],
    ),
}


COVERAGE = 0.5  # topics.coverage_min_similarity in config/settings.yaml


def theme_texts(theme: str, n: int | None = None) -> list[str]:
    openings, endings = THEMES[theme]
    texts = [f"{o} {e}" for o, e in product(openings, endings)]
    return texts[:n] if n else texts


def statements_frame(texts_by_theme: dict[str, list[str]], orgs: dict[str, str] | None = None) -> pd.DataFrame:
    rows = []
    for theme, texts in texts_by_theme.items():
        for i, text in enumerate(texts):
            org = (orgs or {}).get(theme) or ["Org A", "Org B", "Org C"][i % 3]
            rows.append({
                "statement_id": f"R{theme[:6]}{i:03d}-S01",
                "organisation": org,
                "cohort": "prison;asylum_seekers" if i % 2 else "community",
                "police_force_area": ["South Wales", "Gwent", "North Wales"][i % 3],
                "speaker": "participant",
                "text": text,
            })
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def embedder():
    from pipeline.nlp.embed import Embedder

    return Embedder(cache_dir=None, show_progress=False)


@pytest.fixture(scope="module")
def areas(embedder):
    from pipeline.coding.codebook import load_codebook

    cb = load_codebook()
    descriptions = [cb.describe(c.id) for c in cb.codes]
    examples = [embedder.encode(c.examples.get("en", [])) for c in cb.codes]
    return priority_areas(cb.ids, [c.name for c in cb.codes], descriptions, embedder.encode(descriptions), examples)


def modeller(areas, **kw) -> TopicModeller:
    from pipeline.nlp.embed import load_model

    # HDBSCAN throughout (these tests were written for it; tests/test_topics_ward.py tests Ward clustering).
    settings = {"zeroshot_min_similarity": 0.4, "random_state": 42, "representation": "keybert",
                "ward_max_statements": 0, "statements_per_topic": 12}
    settings.update(kw)
    return TopicModeller(zeroshot_topic_list=areas.descriptions, embedding_model=load_model(), **settings)


def fake_areas(dim: int = 8) -> PriorityAreas:
    vecs = np.eye(7, dim, dtype=np.float32)
    return PriorityAreas([f"PA{i}" for i in range(1, 8)], [f"Area {i}" for i in range(1, 8)], [""] * 7, vecs)


# --------------------------------------------------------------------------- fast unit tests
@pytest.mark.parametrize("n", [3, 5, 10, 40, 2000, 100_000])
def test_parameters_stay_inside_what_umap_and_hdbscan_accept(n):
    p = choose_parameters(n)
    assert 2 <= p["n_neighbors"] < max(n, 3)
    assert p["n_components"] <= max(n - 2, 2)
    assert p["min_samples"] <= max(n - 1, 1)
    assert p["min_cluster_size"] >= 3
    assert p["min_df"] == 1


def test_cluster_size_grows_with_data_size():
    sizes = [choose_parameters(n)["min_cluster_size"] for n in (40, 2000, 100_000)]
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
    assert choose_parameters(100_000)["umap_low_memory"] and not choose_parameters(2000)["umap_low_memory"]


def test_tfidf_keywords_survive_an_all_stop_word_input():
    assert tfidf_keywords(["the and of", "a the"], stop_words=["the", "and", "of", "a"]) == []
    assert tfidf_keywords([], stop_words=[]) == []
    words = tfidf_keywords(["interpreter custody", "interpreter cell", "interpreter police"], stop_words=[])
    assert words[0] == "interpreter"


def test_labels_are_readable_and_name_the_priority_area():
    assert make_label(["custody suite", "custody", "interpreter", "language"]) == "Custody suite, interpreter, language"
    assert make_label(["search", "police"], "PA6", "Promote fairness") == "PA6 Promote fairness: Search, police"
    assert make_label([]) == "(no distinctive words)"


def test_facilitator_and_blank_statements_are_skipped_with_a_reason_not_dropped():
    df = statements_frame({"racism": theme_texts("racism", 4)})
    df.loc[1, "speaker"] = "facilitator"
    df.loc[2, "text"] = "  "
    modelled, skipped = select_statements(df)
    assert len(modelled) + len(skipped) == len(df)
    assert sorted(skipped["reason"]) == ["blank text", "speaker is not participant"]


def test_ten_statements_give_keywords_and_say_why(tmp_path):
    df = statements_frame({"interpreters": theme_texts("interpreters", 10)})
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(10, 8)).astype(np.float32)
    result = model_topics(df, emb, TopicModeller(min_statements=30, embedding_model=None), fake_areas(), 0.35)
    assert result.summary["mode"] == "keywords"
    assert "too few" in result.summary["message"]
    assert list(result.topics["topic"]) == [-1]
    assert "interpreter" in result.topics.loc[0, "keywords"]
    assert (result.statement_topics["topic"] == -1).all() and len(result.statement_topics) == 10
    TOPICS_SCHEMA.validate(result.topics)


def test_missing_column_is_reported_in_plain_words():
    df = statements_frame({"racism": theme_texts("racism", 3)}).drop(columns="speaker")
    with pytest.raises(TopicsSchemaError, match=r"statements\.parquet has no column\(s\) speaker.*make code"):
        model_topics(df, np.zeros((3, 8)), TopicModeller(), fake_areas(), 0.35)


def _fitted(topics: np.ndarray, unit: np.ndarray, keywords: dict) -> TopicModeller:
    """A modeller in a known fitted state (to test the tables built from it)."""
    m = TopicModeller()
    m.mode_, m.message_, m.params_, m.fallbacks_ = "topics", "", {}, []
    m.topics_ = m.initial_topics_ = topics
    m.keywords_, m.zeroshot_topics_ = keywords, {}
    m.centroids_ = {t: unit[topics == t].mean(0) / np.linalg.norm(unit[topics == t].mean(0)) for t in keywords}
    m.probabilities_ = np.ones(len(topics))
    m.outlier_share_ = m.outlier_share_before_ = 0.0
    return m


def test_quotes_only_from_topics_and_organisations_at_the_disclosure_threshold():
    # topic 0: 6 statements from Org A (quotable); topic 1: 4 statements (too small);
    # topic 2: 6 statements, 3 from each of two organisations (each group too small).
    n0, n1, n2 = 6, 4, 6
    topics = np.array([0] * n0 + [1] * n1 + [2] * n2)
    df = pd.DataFrame({
        "statement_id": [f"S{i:02d}" for i in range(len(topics))],
        "organisation": ["Org A"] * n0 + ["Org A"] * n1 + ["Org B", "Org C"] * 3,
        "cohort": "prison", "police_force_area": "Gwent", "speaker": "participant",
        "text": [f"text {i}" for i in range(len(topics))],
    })
    unit = np.zeros((len(topics), 7), dtype=np.float32)
    unit[np.arange(len(topics)), topics] = 1.0
    unit[:, 6] = 0.1
    m = _fitted(topics, unit, {0: ["a"], 1: ["b"], 2: ["c"]})
    areas = fake_areas(dim=7)
    out = topic_table(df, unit, m, areas, coverage_threshold=0.35, min_count=5, n_representative=3)
    quotes = dict(zip(out["topic"], out["representative_statement_ids"], strict=True))
    assert len(quotes[0].split(";")) == 3
    assert quotes[1] == ""
    assert quotes[2] == ""
    assert out.set_index("topic").loc[0, "coverage"] == "covered by PA1"


def _two_topics():
    """Topic 0: 6 statements far from every priority area; topic 1: 6 statements right on PA1."""
    topics = np.array([0] * 6 + [1] * 6)
    df = pd.DataFrame({
        "statement_id": [f"S{i:02d}" for i in range(12)],
        "organisation": "Org A", "cohort": "prison", "police_force_area": "Gwent", "speaker": "participant",
        "text": [f"text {i}" for i in range(12)],
    })
    unit = np.zeros((12, 8), dtype=np.float32)
    unit[:6, 7] = 1.0  # fake_areas(8) uses dimensions 0-6: similarity 0 to every area
    unit[6:, 0] = 1.0  # the PA1 vector itself: similarity 1
    return df, unit, _fitted(topics, unit, {0: ["stop", "search"], 1: ["racism"]})


def _codes(rows: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame([{"statement_id": sid, "code": c} for sid, cs in rows.items() for c in cs])


def test_topic_mostly_coded_with_an_area_is_covered_by_it_even_when_dissimilar():
    df, unit, m = _two_topics()
    codes = _codes({"S00": ["PA6"], "S01": ["PA6", "PA1"], "S02": ["PA6"], "S03": ["PA6"], "S04": ["uncoded"],
                    "S05": ["PA1"],
                    # topic 1 sits on PA1 but its statements are mostly uncoded
                    "S06": ["uncoded"], "S07": ["uncoded"], "S08": ["uncoded"], "S09": ["uncoded"], "S10": ["PA1"],
                    "S11": ["PA2"]})
    out = topic_table(df, unit, m, fake_areas(), coverage_threshold=0.5, codes=codes, min_code_share=0.5).set_index("topic")
    assert out.loc[0, "coverage"] == "covered by PA6" and out.loc[0, "covered"]
    assert out.loc[0, "nearest_code"] == "PA6"
    assert out.loc[0, "code_share"] == pytest.approx(4 / 6, abs=1e-6)
    assert out.loc[0, "similarity"] < 0.5  # similarity alone would have said "not in the plan"
    assert out.loc[1, "coverage"] == "not in the plan" and not out.loc[1, "covered"]
    assert out.loc[1, "nearest_code"] == "PA1" and out.loc[1, "code_share"] == pytest.approx(1 / 6, abs=1e-6)  # tie with PA2 broken by similarity
    assert out.loc[1, "similarity"] == pytest.approx(1.0)
    # a stricter threshold takes topic 0 out of the plan
    strict = topic_table(df, unit, m, fake_areas(), 0.5, codes=codes, min_code_share=0.7).set_index("topic")
    assert strict.loc[0, "coverage"] == "not in the plan"


def test_without_codes_coverage_falls_back_to_similarity():
    df, unit, m = _two_topics()
    out = topic_table(df, unit, m, fake_areas(), coverage_threshold=0.5).set_index("topic")
    assert out.loc[0, "coverage"] == "not in the plan"
    assert out.loc[1, "coverage"] == "covered by PA1"
    assert out["code_share"].isna().all()
    TOPICS_SCHEMA.validate(out.reset_index())


def test_a_topic_seeded_by_a_priority_area_stays_covered_whatever_its_codes():
    df, unit, m = _two_topics()
    m.zeroshot_topics_ = {0: 2}
    codes = _codes({f"S{i:02d}": ["uncoded"] for i in range(12)})
    out = topic_table(df, unit, m, fake_areas(), 0.5, codes=codes).set_index("topic")
    assert out.loc[0, "coverage"] == "covered by PA3" and out.loc[0, "code_share"] == 0.0
    assert out.loc[0, "label"].startswith("PA3 Area 3: ")


def test_code_shares_count_each_code_once_and_missing_statements_as_uncoded():
    df = pd.DataFrame({"statement_id": ["a", "b", "c", "d"]})
    codes = _codes({"a": ["PA1", "PA2", "PA1"], "b": ["PA1"], "c": ["uncoded"], "x": ["PA1"], "d": ["PA9"]})
    shares = topic_code_shares(df, np.array([0, 0, 0, 1]), codes, ["PA1", "PA2"])
    assert shares.loc[0, "PA1"] == pytest.approx(2 / 3) and shares.loc[0, "PA2"] == pytest.approx(1 / 3)
    assert shares.loc[1].tolist() == [0.0, 0.0]  # PA9 is not a priority area of this codebook


def test_codes_without_a_code_column_are_reported_in_plain_words():
    df = statements_frame({"racism": theme_texts("racism", 3)})
    with pytest.raises(TopicsSchemaError, match=r"codes\.parquet has no column\(s\) code.*make code"):
        model_topics(df, np.zeros((3, 8)), TopicModeller(), fake_areas(), 0.35,
                     codes=pd.DataFrame({"statement_id": ["x"]}))


def test_labels_skip_fillers_numbers_and_repeated_word_forms():
    assert make_label(["plans", "plan", "maybe", "yes", "timescales", "good"]) == "Plans, timescales"
    assert make_label(["asks", "asked", "consulted", "10", "questions"]) == "Asks, consulted, questions"
    assert make_label(["yes", "ok"]) == "Yes, ok"  # only fillers: better than no label
    assert make_label(["isn", "searched", "search", "stopped"]) == "Searched, stopped"


def test_exact_knn_puts_each_point_first_and_finds_the_true_neighbours():
    rng = np.random.default_rng(1)
    unit = rng.normal(size=(50, 6))
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    idx, dist = exact_cosine_knn(unit.astype(np.float32), 5)
    assert idx.shape == dist.shape == (50, 5) and idx.dtype == np.int32 and dist.dtype == np.float32
    assert (idx[:, 0] == np.arange(50)).all() and np.allclose(dist[:, 0], 0.0)
    brute = np.argsort(1 - unit @ unit.T, axis=1)[:, 1:5]
    assert (np.sort(idx[:, 1:], axis=1) == np.sort(brute, axis=1)).all()
    assert (np.diff(dist, axis=1) >= -1e-6).all()


def test_spread_suppresses_small_counts_and_counts_each_cohort():
    df = pd.DataFrame({
        "statement_id": [f"S{i}" for i in range(8)],
        "organisation": ["Org A"] * 6 + ["Org B"] * 2,
        "cohort": ["prison;schools"] * 6 + ["schools"] * 2,
        "police_force_area": ["Gwent"] * 8,
    })
    st = pd.DataFrame({"statement_id": df["statement_id"], "topic": 0, "probability": 1.0})
    spread = topic_spread(df, st, min_count=5).set_index(["dimension", "group"])
    assert spread.loc[("organisation", "Org A"), "n_statements"] == 6
    assert spread.loc[("organisation", "Org B"), "suppressed"] and pd.isna(spread.loc[("organisation", "Org B"), "n_statements"])
    assert spread.loc[("cohort", "schools"), "n_statements"] == 8
    assert spread.loc[("police_force_area", "Gwent"), "n_statements"] == 8


# --------------------------------------------------------------------------- model tests (slow)
def clustered_embeddings(n: int, k: int, dim: int = 384, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(k, dim))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    labels = np.arange(n) % k
    emb = centres[labels] + rng.normal(scale=0.02, size=(n, dim))
    return (emb / np.linalg.norm(emb, axis=1, keepdims=True)).astype(np.float32), labels


@pytest.mark.slow
def test_reusing_umap_returns_fitted_coordinates_for_seen_rows_and_handles_new_ones():
    emb, _ = clustered_embeddings(300, 3, dim=16)
    red = ReusingUMAP(sample_size=200, random_state=1, n_neighbors=10, n_components=2).fit(emb)
    np.testing.assert_array_equal(red.transform(emb[[5, 250]]), red.embedding_[[5, 250]])
    assert red.transform(emb[:3] + 0.001).shape == (3, 2)


@pytest.mark.slow
def test_two_thousand_statements_complete_and_recover_planted_clusters(areas):
    emb, labels = clustered_embeddings(2000, 6)
    words = ["custody interpreter", "site eviction", "online abuse", "bus fares", "school meals", "prison visits"]
    texts = [f"{words[lab]} statement {i % 7}" for i, lab in enumerate(labels)]
    m = modeller(areas).fit(texts, emb)
    assert m.mode_ == "topics"
    found = pd.crosstab(labels, m.topics_)
    # each planted cluster is (almost) entirely one topic
    assert (found.max(axis=1) / found.sum(axis=1) > 0.9).all()
    assert len(m.keywords_) - (1 if -1 in m.keywords_ else 0) >= 6


@pytest.fixture(scope="module")
def planted(embedder):
    texts = {t: theme_texts(t) for t in ("racism", "workforce", "stopsearch", "youthclubs")}
    texts["interpreters"] = theme_texts("interpreters")  # 30 statements
    df = statements_frame(texts, orgs={"interpreters": "Org Z"})
    return df, embedder.encode(df["text"].tolist())


@pytest.mark.slow
def test_planted_theme_absent_from_the_codebook_is_found_and_marked_not_in_the_plan(planted, areas):
    df, emb = planted
    result = model_topics(df, emb, modeller(areas), areas, coverage_threshold=COVERAGE)
    topics, st = result.topics, result.statement_topics
    planted_ids = set(df.loc[df["text"].isin(theme_texts("interpreters")), "statement_id"])
    st = st.assign(planted=st["statement_id"].isin(planted_ids))
    best = st[st["planted"]]["topic"].value_counts()
    topic = int(best.index[0])
    assert topic != -1 and best.iloc[0] >= 25
    row = topics.set_index("topic").loc[topic]
    assert row["coverage"] == "not in the plan" and not row["covered"]
    assert any(w in row["keywords"] for w in ("interpreter", "custody", "language", "translate"))
    # its quotes are planted statements (from Org Z, 30 statements, above the threshold)
    quotes = row["representative_statement_ids"].split(";")
    assert quotes and set(quotes) <= planted_ids
    # and the themes the plan names are covered
    covered_share = st[~st["planted"]].merge(topics, on="topic")["covered"].mean()
    assert covered_share > 0.7
    assert result.summary["n_topics_not_in_plan"] >= 1
    assert 0.0 <= result.summary["unassigned_share"] <= 1.0


@pytest.mark.slow
def test_two_runs_give_identical_topics_labels_and_assignments(planted, areas):
    df, emb = planted
    shuffled = df.sample(frac=1.0, random_state=3)
    first = model_topics(df, emb, modeller(areas), areas, COVERAGE)
    second = model_topics(shuffled, emb[shuffled.index.to_numpy()], modeller(areas), areas, COVERAGE)
    pd.testing.assert_frame_equal(first.topics, second.topics)
    pd.testing.assert_frame_equal(first.statement_topics, second.statement_topics)
    pd.testing.assert_frame_equal(first.spread, second.spread)


@pytest.mark.slow
def test_forty_statements_complete(embedder, areas):
    df = statements_frame({"interpreters": theme_texts("interpreters", 20), "stopsearch": theme_texts("stopsearch", 20)})
    result = model_topics(df, embedder.encode(df["text"].tolist()), modeller(areas), areas, COVERAGE)
    assert result.summary["mode"] == "topics"
    assert len(result.statement_topics) == 40
    assert result.topics["size"].sum() == 40


@pytest.mark.slow
def test_every_statement_matching_a_priority_area_does_not_crash(planted, areas):
    """BERTopic #2447: every document matches a zero-shot topic; #1958: only a few are left over."""
    df, emb = planted
    everything = model_topics(df, emb, modeller(areas, zeroshot_min_similarity=-1.0), areas, COVERAGE)
    assert everything.summary["mode"] == "topics"
    assert any("#2447" in f for f in everything.summary["fallbacks"])
    assert everything.summary["n_topics_seeded_by_priority_areas"] >= 1
    assert everything.topics.loc[everything.topics["topic"] >= 0, "label"].str.match(r"PA\d ").all()
    few_left = model_topics(df, emb, modeller(areas, zeroshot_min_similarity=0.12), areas, COVERAGE)
    assert few_left.summary["mode"] == "topics"
    assert len(few_left.statement_topics) == len(df)


@pytest.mark.slow
@pytest.mark.parametrize("with_codes", [False, True])
def test_cli_writes_validated_tables_and_summary(tmp_path, planted, with_codes):
    import typer
    from typer.testing import CliRunner

    from pipeline import config
    from pipeline.topics.cli import topics_command

    df, _ = planted
    full = df.assign(response_id=df["statement_id"].str[:-4], question="solutions")
    full.to_parquet(tmp_path / "statements.parquet", index=False)
    if with_codes:  # the stop-and-search statements coded PA6, the rest uncoded
        codes = pd.DataFrame({"statement_id": df["statement_id"],
                              "code": np.where(df["statement_id"].str.startswith("Rstopse"), "PA6", "uncoded")})
        codes.to_parquet(tmp_path / "codes.parquet", index=False)
    app = typer.Typer()
    app.command()(topics_command)
    res = CliRunner().invoke(app, ["--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    for name in ("topics.parquet", "statement_topics.parquet", "topic_spread.parquet", "topics.config.yaml"):
        assert (tmp_path / name).exists()
    summary = json.loads((tmp_path / "topics_summary.json").read_text())
    assert summary["n_statements"] == len(df) and "unassigned_share" in summary
    topics = TOPICS_SCHEMA.validate(pd.read_parquet(tmp_path / "topics.parquet"))
    assert (tmp_path / "embeddings").exists()
    if with_codes:
        assert summary["coverage_basis"] == "deductive codes" and summary["n_modelled_without_codes"] == 0
        assert topics["code_share"].notna().all()
        # every topic not seeded by a priority area is covered only if mostly stop and search (PA6)
        emergent = topics[(topics["topic"] >= 0) & ~topics["label"].str.match(r"PA\d ")]
        threshold = config.settings()["topics"]["coverage_min_code_share"]
        assert (emergent["covered"] == (emergent["code_share"] >= threshold)).all()
        assert set(emergent.loc[emergent["covered"], "nearest_code"]) <= {"PA6"}
    else:
        assert summary["coverage_basis"].startswith("similarity") and topics["code_share"].isna().all()


def test_cli_says_what_to_run_when_statements_are_missing(tmp_path):
    import typer
    from typer.testing import CliRunner

    from pipeline.topics.cli import topics_command

    app = typer.Typer()
    app.command()(topics_command)
    res = CliRunner().invoke(app, ["--out", str(tmp_path)])
    assert res.exit_code == 4  # a table an earlier stage writes is missing (pipeline.errors.EXIT_CODES)
    assert "make code" in res.output


def test_priority_area_is_described_by_its_description_and_examples():
    desc = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], dtype=np.float32)
    ex = [np.array([[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]], dtype=np.float32), np.zeros((0, 3), dtype=np.float32)]
    pa = priority_areas(["PA1", "PA2"], ["A", "B"], ["a", "b"], desc, ex)
    np.testing.assert_allclose(pa.vectors[0], [2 ** -0.5, 0.0, 2 ** -0.5], atol=1e-6)
    np.testing.assert_allclose(pa.vectors[1], [0.0, 1.0, 0.0])


def test_a_topic_of_welsh_statements_is_labelled_as_such_not_as_a_theme():
    # The English-only embedding model groups Welsh statements by language: the label must say so.
    df, unit, m = _two_topics()
    df = df.assign(language=["cy"] * 5 + ["en"] + ["cy"] * 3 + ["en"] * 3)
    out = topic_table(df, unit, m, fake_areas(), coverage_threshold=0.5).set_index("topic")
    assert out.loc[0, "label"] == "Mostly in Welsh (mixed subjects): Text 0"  # 5 of 6 Welsh
    assert out.loc[0, "kind"] == "welsh"
    assert not out.loc[1, "label"].startswith("Mostly in Welsh")  # 3 of 6: not mostly
    # without a language column nothing changes
    plain = topic_table(df.drop(columns="language"), unit, m, fake_areas(), 0.5).set_index("topic")
    assert plain.loc[0, "label"] == "Text 0" and plain.loc[0, "kind"] == "subject"


def test_a_topic_of_comments_on_the_plan_is_labelled_as_such_not_as_a_missing_subject():
    df, unit, m = _two_topics()
    texts = ["Yes, it's honest about the problems.", "Partly, it misses things.", "It feels like a tick-box exercise.",
             "The plan is a good start.", "Nobody stopped me for no reason.", "Naddo, dim o gwbl.",
             # topic 1 (on PA1): plan words do not relabel a covered topic
             "Yes", "Yes", "Yes", "Yes", "Yes", "Yes"]
    df = df.assign(text=texts)
    rule = PlanComments(cues=("the plan", "honest", "tick-box"), openings=("yes", "partly", "naddo"), min_share=0.8)
    out = topic_table(df, unit, m, fake_areas(), 0.5, plan_comments=rule).set_index("topic")
    assert out.loc[0, "label"].startswith("Comments on the plan itself: ")  # 5 of 6 statements
    assert out.loc[0, "kind"] == "plan_comments"
    assert out.loc[0, "coverage"] == "not in the plan"
    assert out.loc[1, "label"] == "Yes" and out.loc[1, "covered"] and out.loc[1, "kind"] == "subject"
    # "stopped" does not match the cue "stop"-like words by accident, and below min_share nothing changes
    stricter = topic_table(df, unit, m, fake_areas(), 0.5,
                           plan_comments=PlanComments(rule.cues, rule.openings, min_share=0.9)).set_index("topic")
    assert not stricter.loc[0, "label"].startswith("Comments on the plan itself")
    assert PlanComments(cues=("no",)).matches(pd.Series(["No way", "nobody", "say no."])).tolist() == [True, False, True]
    # an answer word opens a verdict only in a short statement; a longer one goes on to a subject
    answers = PlanComments(openings=("no", "yes"), max_answer_words=8)
    assert answers.matches(pd.Series(["No, not at all.", "Yes, more than I expected.",
                                      "No. None of my social workers have ever been Black or mixed race.",
                                      "Nobody came."])).tolist() == [True, True, False, False]


def test_quotes_say_the_same_words_only_once():
    # six statements from one organisation: three say the same thing (curly quote, prefix), so the
    # three quotes are the three different things said
    texts = ["I couldn't call anyone from custody.", "I couldn\u2019t call anyone from custody.",
             "Not really. I couldn't call anyone from custody.", "The site was closed.", "Nobody explained why.",
             "My car was searched."]
    df = pd.DataFrame({"statement_id": [f"S{i}" for i in range(6)], "organisation": "Org A", "cohort": "prison",
                       "police_force_area": "Gwent", "speaker": "participant", "text": texts})
    unit = np.zeros((6, 8), dtype=np.float32)
    unit[:, 7] = 1.0
    unit[:3, 6] = 0.5  # the repeated statement is nearest the centre
    m = _fitted(np.zeros(6, dtype=int), unit, {0: ["phone"]})
    out = topic_table(df, unit, m, fake_areas(), 0.5, min_count=5, n_representative=3)
    quotes = out.loc[0, "representative_statement_ids"].split(";")
    assert len(quotes) == 3
    assert sum(q in {"S0", "S1", "S2"} for q in quotes) == 1


# --------------------------------------------------------------------------- names and theme-set rules
def _namer_fixture():
    from pipeline.topics.naming import Namer

    known = frozenset({"interpreter", "interpreters", "custody", "suite", "language", "because", "phone", "translate",
                       "police", "station", "rights", "waited", "hours", "spoke", "dialect", "different", "there",
                       "was", "no", "in", "the", "my", "son", "had", "to", "for", "me"})
    texts = ["There was no interpreter in the custody suite because they used a phone.",
             "Yes. There was no interpreter at the police station, so I did not understand my rights.",
             "I waited hours in custody for an interpreter becuase nobody booked one.",
             "The interpreter on the phone spoke a different dialect.",
             "My son had to translate for me in the custody suite because there was no interpreter."] + [
             "The interpreter came late because the police forgot to book one."] * 4
    return Namer(known_words=known, stop_words=frozenset({"the", "was", "there", "in", "for", "to"})).fit(texts), texts


def test_keywords_lose_misspellings_fragments_and_stop_words():
    namer, _ = _namer_fixture()
    raw = ["interpreter", "becuase", "isn", "the", "custody", "interpreters", "yes", "10", "dialect", "really"]
    assert namer.clean_keywords(raw) == ["interpreter", "custody", "dialect"]
    assert namer.keyword_problem("becuase") == "a misspelling"  # "because" is known and said far more often
    assert namer.keyword_problem("isn") == "a fragment"
    assert namer.keyword_problem("the") == "a stop word"
    # an unknown word with no common look-alike is kept (a name, an acronym, a local word)
    assert namer.keyword_problem("camhs") == ""
    # with parts of speech known, only content words stay
    namer.pos_of = {"interpreter": "NOUN", "quickly": "ADV"}
    assert namer.clean_keywords(["quickly", "interpreter"]) == ["interpreter"]


def test_a_theme_is_named_by_a_short_representative_statement_with_a_description():
    namer, texts = _namer_fixture()
    sims = np.array([0.9, 0.8, 0.7, 0.6, 0.85, 0.5, 0.5, 0.5, 0.5])
    name, description = namer.name(texts, sims, ["interpreter", "custody", "suite"])
    # the statement nearest the centre that carries most keywords, cut to its key clause
    assert name == "There was no interpreter in the custody suite"
    assert len(name.split()) <= namer.max_name_words and "," not in name
    assert description.startswith("Statements about interpreter, custody and suite, such as \u201cThere was no")
    # answer words and fillers never open a name, and a long statement is cut at a clause break
    assert namer.shorten("Yes. There was no interpreter at the police station, so I did not understand my rights.",
                         ["interpreter"]) == "There was no interpreter at the police station"
    assert namer.shorten("No one ever came back to us.") == "No one ever came back to us"
    assert namer.shorten("No, not at all. Being evicted again") == "Being evicted again"


def test_topics_at_or_above_the_merge_similarity_are_merged_and_others_kept():
    from pipeline.topics import themeset

    def vec(angle):  # unit vectors in a plane: cosine between a and b is cos(a - b)
        return np.array([np.cos(angle), np.sin(angle), 0.0])

    a, b, c = 0.0, np.arccos(0.95), np.arccos(0.95) + np.arccos(0.5)
    unit = np.vstack([vec(a)] * 5 + [vec(b)] * 5 + [vec(c)] * 5)
    labels = np.array([0] * 5 + [1] * 5 + [2] * 5)
    merged, merges = themeset.merge_similar(labels, unit, 0.9)
    assert sorted(set(merged.tolist())) == [0, 2] and merges[0][:2] == (0, 1) and merges[0][2] >= 0.9
    cents = themeset.centroids(merged, unit)
    assert float(cents[0] @ cents[2]) < 0.9  # nothing left at or above the threshold
    kept, none = themeset.merge_similar(labels, unit, 0.96)  # 0.95 is below 0.96: no merge
    assert none == [] and np.array_equal(kept, labels)
    # topics of different kinds (comments on the plan and a subject) are never merged
    apart, _ = themeset.merge_similar(labels, unit, 0.9, kinds={0: themeset.PLAN_COMMENTS, 1: themeset.SUBJECT})
    assert len(set(apart.tolist())) == 3


def test_small_topics_are_dissolved_and_incoherent_ones_split():
    from pipeline.topics import themeset

    rng = np.random.default_rng(0)
    base = np.eye(4)
    def cloud(i, n):
        x = base[i] + 0.05 * rng.standard_normal((n, 4))
        return x / np.linalg.norm(x, axis=1, keepdims=True)
    unit = np.vstack([cloud(0, 8), cloud(1, 8), cloud(0, 3), cloud(3, 1)])
    labels = np.array([0] * 8 + [1] * 8 + [2] * 3 + [3])
    out = themeset.absorb_small(labels, unit, min_size=5, min_similarity=0.5)
    assert out[16:19].tolist() == [0, 0, 0]      # the 3 statements near topic 0 join it
    assert out[19] == -1                         # unlike every remaining topic: unassigned, not forced
    # one topic made of two subjects: coherence below the bar, split into its two halves
    mixed = np.zeros(16, dtype=int)
    coh = themeset.coherence(mixed, unit[:16])[0]
    assert coh < 0.8
    split = themeset.split_incoherent(mixed, unit[:16], min_coherence=0.8, min_size=5)
    assert len(set(split[:8].tolist())) == 1 and len(set(split[8:16].tolist())) == 1 and split[0] != split[8]
    # a coherent topic is left alone
    assert np.array_equal(themeset.split_incoherent(mixed[:8], unit[:8], 0.8, 3), mixed[:8])


def test_the_author_sees_at_most_max_themes_with_comments_on_the_plan_apart():
    from pipeline.topics import themeset

    rng = np.random.default_rng(1)
    unit = rng.standard_normal((60, 16))
    unit /= np.linalg.norm(unit, axis=1, keepdims=True)
    labels = np.repeat(np.arange(12), 5)
    kinds = {t: themeset.SUBJECT for t in range(12)}
    kinds.update({10: themeset.PLAN_COMMENTS, 11: themeset.PLAN_COMMENTS})
    group = themeset.author_groups(labels, unit, kinds, max_themes=5)
    assert len(set(group.values())) == 5
    assert group[10] == group[11] == 10          # the comments on the plan make one theme of their own
    assert all(group[t] not in (10, 11) for t in range(10))
    assert themeset.author_groups(labels, unit, kinds, max_themes=25) == {t: (10 if t in (10, 11) else t) for t in range(12)}


def test_answers_to_a_question_about_the_plan_are_comments_on_it_even_when_coded():
    df, unit, m = _two_topics()
    rule = PlanComments(min_share=0.5, questions=("listened",))
    asked = df.assign(question=["solutions"] * 6 + ["listened"] * 5 + ["other"])
    out = topic_table(asked, unit, m, fake_areas(), 0.5, plan_comments=rule).set_index("topic")
    assert out.loc[1, "covered"] and out.loc[1, "kind"] == "plan_comments"   # 5 of 6 answer "have we listened?"
    assert out.loc[0, "kind"] == "subject"
    few = df.assign(question=["solutions"] * 6 + ["listened"] * 2 + ["other"] * 4)
    assert topic_table(few, unit, m, fake_areas(), 0.5, plan_comments=rule).set_index("topic").loc[1, "kind"] == "subject"
