"""Tests for pipeline.nlp.embed: offline model and the on-disk embedding cache."""

import numpy as np
import pytest

from pipeline.nlp.embed import EMBEDDING_DIM, Embedder, ModelUnavailableError, load_model


@pytest.mark.slow
def test_embeddings_are_normalised_and_similar_texts_are_closer(tmp_path):
    emb = Embedder(cache_dir=tmp_path, show_progress=False)
    vecs = emb.encode(["The police stopped me again.", "Officers searched me on the street.", "I like tea."])
    assert vecs.shape == (3, EMBEDDING_DIM)
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2]


@pytest.mark.slow
def test_cache_embeds_each_distinct_text_once_and_survives_a_new_process_object(tmp_path):
    first = Embedder(cache_dir=tmp_path, show_progress=False)
    a = first.encode(["alpha text", "beta text", "alpha text"])
    assert first.n_computed == 2
    assert (tmp_path / "embeddings" / "all-MiniLM-L6-v2.npy").exists()
    second = Embedder(cache_dir=tmp_path, show_progress=False)
    b = second.encode(["beta text", "alpha text"])
    assert second.n_computed == 0
    np.testing.assert_array_equal(b, a[[1, 0]])
    assert second.encode([]).shape == (0, EMBEDDING_DIM)


@pytest.mark.slow
def test_inconsistent_cache_is_rebuilt_not_trusted(tmp_path):
    emb = Embedder(cache_dir=tmp_path, show_progress=False)
    emb.encode(["one", "two"])
    (tmp_path / "embeddings" / "all-MiniLM-L6-v2.keys.txt").write_text("deadbeef", encoding="ascii")
    fresh = Embedder(cache_dir=tmp_path, show_progress=False)
    fresh.encode(["one"])
    assert fresh.n_computed == 1


def test_unknown_model_name_is_refused_with_a_fix():
    with pytest.raises(ModelUnavailableError, match="embedding.model"):
        load_model("some-hub-model")
