"""Ward clustering for small consultations (pipeline.topics.model.WardClusters, choose_parameters)."""

from __future__ import annotations

import numpy as np

from pipeline.topics.model import WardClusters, choose_parameters


def _blobs(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    truth = np.repeat(np.arange(3), 20)
    return centres[truth] + rng.normal(scale=0.5, size=(60, 2)), truth


def test_ward_finds_well_separated_groups_and_predicts_the_nearest_centre() -> None:
    X, truth = _blobs()
    model = WardClusters(n_clusters=3).fit(X)
    # each found cluster is exactly one true group (labels may be permuted)
    pairs = set(zip(model.labels_.tolist(), truth.tolist(), strict=True))
    assert len(pairs) == 3
    centre_of = {t: c for c, t in pairs}
    assert model.predict(np.array([[9.5, 0.3], [0.2, 9.8]])).tolist() == [centre_of[1], centre_of[2]]


def test_ward_is_deterministic_and_never_asks_for_more_clusters_than_points() -> None:
    X, _ = _blobs(1)
    a, b = WardClusters(4).fit(X).labels_, WardClusters(4).fit(X.copy()).labels_
    assert np.array_equal(a, b)
    assert len(set(WardClusters(10).fit(X[:3]).labels_.tolist())) == 3


def test_choose_parameters_uses_ward_only_up_to_its_limit() -> None:
    small = choose_parameters(300, 300, ward_max_documents=600, statements_per_topic=16)
    assert small["clusterer"] == "ward" and small["n_clusters"] == 19
    large = choose_parameters(1200, 1184, ward_max_documents=600, statements_per_topic=16)
    assert large["clusterer"] == "hdbscan" and large["n_clusters"] is None
    assert choose_parameters(300, 300)["clusterer"] == "hdbscan"  # 0 = always HDBSCAN
