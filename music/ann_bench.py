"""Which nearest-neighbour library should serve the recommender?

The issue: "Annoy, as the seed, unless another maintained library (hnswlib, usearch, faiss)
measures better; measure recall@5 against exact search and query latency at 720 tracks and at
100,000 vectors (random ones for scale), and report the table." This module is that
measurement, runnable again whenever the catalogue or a library changes:

    python -m music.ann_bench --sizes 720,100000 --queries 1000 [--vectors catalogue.npy]

How it measures, and why:

* Annoy, hnswlib and exact search are built with `recommender_service.index`, so what is
  measured is what serves (including its per-query conversions). usearch and faiss, which the
  service does not use, are called directly with comparable settings.
* Queries are held out: vectors that are not in the index, as a new track or a mood's centre
  would be. That avoids deciding, per library, how to drop a query's own row from its answer.
  Random data draws them from the same mixture as the stored vectors; real vectors (--vectors)
  get stored rows plus Gaussian noise (sd 0.5 in standardised units).
* Recall@k compares each library's k ids with exact numpy neighbours (the Exact index).
* Latency is one query at a time on one thread, timed with perf_counter_ns around each call:
  the service answers one request per call and parallelises across requests, so batch
  throughput or intra-query threads would flatter the wrong thing. Builds are single-threaded
  too (the served builders are, for determinism), which keeps build times comparable.
* Index bytes are the serialised index (vectors included), a proxy for memory.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from recommender_service.index import IndexKind, VectorIndex, build_index

WARMUP_QUERIES = 20
QUERY_NOISE = 0.5


@dataclass(frozen=True)
class Row:
    """One library at one size. recall_at_5 is recall@k for compare's k (5 unless changed)."""

    library: str
    size: int
    build_s: float
    recall_at_5: float
    p50_us: float
    p99_us: float
    index_bytes: int | None


class Searcher(Protocol):
    """A built index as the benchmark sees it: ids for one query, and its serialised size."""

    def search(self, vector: np.ndarray, k: int) -> list[int]: ...

    def nbytes(self) -> int | None: ...


# --- the candidates ---------------------------------------------------------------------------


class Served:
    """An index from recommender_service.index, measured exactly as the service calls it."""

    def __init__(self, index: VectorIndex) -> None:
        self.index = index

    def search(self, vector: np.ndarray, k: int) -> list[int]:
        return self.index.query(vector, k)[0]

    def nbytes(self) -> int | None:
        with tempfile.TemporaryDirectory() as directory:
            self.index.save(Path(directory))
            return sum(p.stat().st_size for p in Path(directory).iterdir() if p.suffix != ".json")


class Usearch:
    """usearch HNSW, default connectivity (16) and expansion (search 64); float32 storage
    rather than the f16 usearch may pick by itself, so it stores what the others store."""

    def __init__(self, vectors: np.ndarray) -> None:
        from usearch.index import Index

        self.index = Index(ndim=vectors.shape[1], metric="l2sq", dtype="f32")
        self.index.add(np.arange(vectors.shape[0]), vectors, threads=1)

    def search(self, vector: np.ndarray, k: int) -> list[int]:
        return [int(i) for i in self.index.search(vector, k, threads=1).keys]

    def nbytes(self) -> int | None:
        buffer = self.index.save()
        return None if buffer is None else len(buffer)


class Faiss:
    """A faiss index (HNSWFlat or the exact FlatL2), searched one query at a time."""

    def __init__(self, index: Any, vectors: np.ndarray) -> None:
        self.index = index
        self.index.add(vectors)

    def search(self, vector: np.ndarray, k: int) -> list[int]:
        _, ids = self.index.search(vector.reshape(1, -1), k)
        return [int(i) for i in ids[0]]

    def nbytes(self) -> int | None:
        import faiss

        return int(faiss.serialize_index(self.index).nbytes)


def _faiss_hnsw(vectors: np.ndarray) -> Searcher:
    import faiss

    index = faiss.IndexHNSWFlat(vectors.shape[1], 32)
    index.hnsw.efSearch = 64
    return Faiss(index, vectors)


def _faiss_flat(vectors: np.ndarray) -> Searcher:
    import faiss

    return Faiss(faiss.IndexFlatL2(vectors.shape[1]), vectors)


def _served(kind: IndexKind, **params: int | float | str) -> Callable[[np.ndarray], Searcher]:
    return lambda vectors: Served(build_index(kind, vectors, **params))


@dataclass(frozen=True)
class Candidate:
    library: str
    build: Callable[[np.ndarray], Searcher]


CANDIDATES: tuple[Candidate, ...] = (
    Candidate("annoy (50 trees)", _served(IndexKind.ANNOY, n_trees=50)),
    Candidate("annoy (10 trees)", _served(IndexKind.ANNOY, n_trees=10)),
    Candidate("hnswlib (M 16, ef 64)", _served(IndexKind.HNSW, M=16, ef=64)),
    Candidate("usearch (M 16, ef 64)", Usearch),
    Candidate("faiss HNSWFlat (M 32, ef 64)", _faiss_hnsw),
    Candidate("faiss FlatL2 (exact)", _faiss_flat),
    Candidate("numpy (exact)", _served(IndexKind.EXACT)),
)


# --- measuring --------------------------------------------------------------------------------


def compare(vectors: np.ndarray, queries: np.ndarray, k: int = 5, repeats: int = 1) -> list[Row]:
    """Build every candidate over `vectors` and measure it on held-out `queries`.

    Queries should not be rows of `vectors` (see the module docstring). Each query is timed
    `repeats` times; recall comes from the first pass.
    """
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    queries = np.ascontiguousarray(queries, dtype=np.float32)
    k = min(k, vectors.shape[0])
    exact = build_index(IndexKind.EXACT, vectors)
    truth = [set(exact.query(query, k)[0]) for query in queries]
    threads = _faiss_threads(1)
    try:
        return [_measure(c, vectors, queries, truth, k, repeats) for c in CANDIDATES]
    finally:
        _faiss_threads(threads)


def _measure(
    candidate: Candidate,
    vectors: np.ndarray,
    queries: np.ndarray,
    truth: list[set[int]],
    k: int,
    repeats: int,
) -> Row:
    gc.collect()
    start = time.perf_counter()
    searcher = candidate.build(vectors)
    build_s = time.perf_counter() - start
    for query in queries[:WARMUP_QUERIES]:
        searcher.search(query, k)
    found: list[list[int]] = []
    latencies_ns: list[int] = []
    for _ in range(max(1, repeats)):
        for query in queries:
            before = time.perf_counter_ns()
            ids = searcher.search(query, k)
            latencies_ns.append(time.perf_counter_ns() - before)
            if len(found) < len(queries):
                found.append(ids)
    recall = float(np.mean([len(truth[i] & set(ids)) / k for i, ids in enumerate(found)]))
    p50, p99 = np.percentile(np.asarray(latencies_ns) / 1000.0, [50, 99])
    size = vectors.shape[0]
    return Row(candidate.library, size, build_s, recall, float(p50), float(p99), searcher.nbytes())


def _faiss_threads(threads: int) -> int:
    """Set faiss's OpenMP threads and return the previous setting (faiss defaults to all)."""
    import faiss

    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(threads)
    return previous


# --- data -------------------------------------------------------------------------------------


def _mixture(n: int, d: int, seed: int, clusters: int, draw: int) -> np.ndarray:
    """Unstandardised points from a fixed (by seed) mixture of correlated Gaussians.

    Real MFCC summaries are correlated, their variance in a few directions, so each cluster's
    noise has a decaying spectrum under a random rotation; cluster sizes are unequal, like a
    catalogue's emotions. `draw` picks an independent sample from the same mixture.
    """
    shape_rng = np.random.default_rng(seed)
    centres = shape_rng.normal(0.0, 1.5, (clusters, d))
    weights = shape_rng.dirichlet(np.full(clusters, 5.0))
    rotation, _ = np.linalg.qr(shape_rng.standard_normal((d, d)))
    spectrum = 1.0 / np.sqrt(1.0 + np.arange(d))
    rng = np.random.default_rng([seed, draw])
    labels = rng.choice(clusters, size=n, p=weights)
    noise = (rng.standard_normal((n, d)) * spectrum) @ rotation
    return np.asarray(centres[labels] + noise)


def random_vectors(n: int, d: int = 40, seed: int = 0, clusters: int = 7) -> np.ndarray:
    """Clustered random vectors, standardised per dimension like the catalogue's (float32)."""
    return _random_split(n, 0, d, seed, clusters)[0]


def _random_split(
    n: int, queries: int, d: int = 40, seed: int = 0, clusters: int = 7
) -> tuple[np.ndarray, np.ndarray]:
    """random_vectors(n) and `queries` held-out draws standardised with the stored ones' scale."""
    stored = _mixture(n, d, seed, clusters, draw=0)
    held_out = _mixture(queries, d, seed, clusters, draw=1)
    mean, scale = stored.mean(axis=0), stored.std(axis=0)
    scale = np.where(scale > 1e-8, scale, 1.0)
    return ((stored - mean) / scale).astype(np.float32), ((held_out - mean) / scale).astype(
        np.float32
    )


def _jittered(vectors: np.ndarray, count: int, seed: int = 0) -> np.ndarray:
    """Held-out queries near real vectors: random stored rows plus Gaussian noise."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, vectors.shape[0], count)
    noise = rng.normal(0.0, QUERY_NOISE, (count, vectors.shape[1]))
    return (vectors[rows] + noise).astype(np.float32)


# --- reporting --------------------------------------------------------------------------------


def markdown(rows: list[Row]) -> str:
    """The rows as a Markdown table, one line per library and size."""
    lines = [
        "| library | vectors | build s | recall@5 | p50 µs | p99 µs | index MiB |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        size = "–" if row.index_bytes is None else f"{row.index_bytes / 2**20:.1f}"
        lines.append(
            f"| {row.library} | {row.size:,} | {row.build_s:.2f} | {row.recall_at_5:.3f} "
            f"| {row.p50_us:.0f} | {row.p99_us:.0f} | {size} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m music.ann_bench",
        description="Compare nearest-neighbour libraries for the music recommender.",
    )
    parser.add_argument("--sizes", default="720,100000", help="comma-separated index sizes")
    parser.add_argument("--queries", type=int, default=1000, help="held-out queries per size")
    parser.add_argument("--vectors", type=Path, help="real (n, d) .npy vectors for the first size")
    parser.add_argument("--repeats", type=int, default=1, help="timed passes over the queries")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes: expected comma-separated integers, got {args.sizes!r}")
    if not sizes or min(sizes) < 1 or args.queries < 1:
        parser.error("--sizes and --queries must be positive")

    rows: list[Row] = []
    for position, size in enumerate(sizes):
        if position == 0 and args.vectors is not None:
            vectors = np.load(args.vectors, allow_pickle=False).astype(np.float32)
            if vectors.ndim != 2:
                parser.error(f"--vectors: expected an (n, d) matrix, got shape {vectors.shape}")
            queries = _jittered(vectors, args.queries, args.seed)
        else:
            vectors, queries = _random_split(size, args.queries, seed=args.seed)
        rows.extend(compare(vectors, queries, repeats=args.repeats))
    print(markdown(rows))
    print(
        f"\n{args.queries} held-out queries per size, k=5; recall against exact numpy; "
        "one thread per build and per query."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
