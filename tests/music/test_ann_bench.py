from music.ann_bench import compare, markdown, random_vectors


def test_the_comparison_measures_recall_against_exact_search() -> None:
    vectors = random_vectors(300, seed=1)
    queries = random_vectors(20, seed=2)
    rows = compare(vectors, queries, k=5)
    by = {r.library: r for r in rows}
    exact = [r for name, r in by.items() if name.startswith("numpy")]
    assert exact and exact[0].recall_at_5 == 1.0
    assert all(0.0 <= r.recall_at_5 <= 1.0 and r.p50_us > 0 for r in rows)
    assert any(name.startswith("annoy") for name in by) and any("hnsw" in n for n in by)
    table = markdown(rows)
    assert table.startswith("|") and "recall@5" in table
