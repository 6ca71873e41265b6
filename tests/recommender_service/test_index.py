import numpy as np
import pytest

from music.ann_bench import random_vectors
from recommender_service.index import IndexKind, build_index, load_index


@pytest.mark.parametrize("kind", list(IndexKind))
def test_every_index_finds_the_exact_neighbours_on_a_small_set(kind, tmp_path) -> None:
    vectors = random_vectors(200, seed=3)
    exact = build_index(IndexKind.EXACT, vectors)
    index = build_index(kind, vectors)
    index.save(tmp_path)
    loaded = load_index(tmp_path)
    assert (loaded.kind, loaded.dimension, loaded.count) == (kind, 40, 200)
    found = total = 0
    for row in range(0, 200, 10):
        want, _ = exact.query_row(row, 5)
        got, distances = loaded.query_row(row, 5)
        assert row not in got
        expected = [float(np.linalg.norm(vectors[row] - vectors[r])) for r in got]
        assert distances == pytest.approx(expected, rel=1e-4)
        found += len(set(want) & set(got))
        total += 5
    assert found / total >= 0.9


def test_a_damaged_index_is_refused_with_a_reason(tmp_path) -> None:
    build_index(IndexKind.HNSW, random_vectors(50, seed=4)).save(tmp_path)
    (tmp_path / "index.hnsw").unlink()
    with pytest.raises(ValueError, match=r"index\.hnsw"):
        load_index(tmp_path)
