"""The serving path's nearest-neighbour index over track vectors.

Tracks are 40-dimensional float32 vectors, already standardised (see `music.features`), and
"like" means near in Euclidean distance. Three interchangeable indexes sit behind one small
interface so the service, the offline build and the benchmark (`music.ann_bench`) all use the
same code:

* Annoy, the seed's choice: random-projection trees in one memory-mapped file.
* HNSW (hnswlib): a navigable graph, usually better recall for the same latency.
* Exact: numpy brute force. At a catalogue of a few hundred tracks it is fast enough to serve,
  and at any size it is the reference that the approximate indexes' recall is measured against.

Every index answers real Euclidean distances, nearest first, whatever its library reports
internally (hnswlib reports squared ones). Builds are single-threaded on purpose: a threaded
build inserts in a timing-dependent order, and the same vectors must always give the same
index (so a rebuilt catalogue answers the same songs). Queries only read, so any number of
request threads may share one index.

On disk an index is a directory: the library's data file plus `index.json`, which records the
kind, dimension, count and parameters so that `load_index` can check the data before serving
it and the catalogue info RPC can report how the index was built.
"""

from __future__ import annotations

import enum
import json
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from annoy import AnnoyIndex

MANIFEST = "index.json"

Params = dict[str, int | float | str]


class IndexKind(enum.Enum):
    """Which nearest-neighbour structure backs the index."""

    ANNOY = "annoy"
    HNSW = "hnsw"
    EXACT = "exact"


DATA_FILES: dict[IndexKind, str] = {
    IndexKind.ANNOY: "index.ann",
    IndexKind.HNSW: "index.hnsw",
    IndexKind.EXACT: "vectors.npy",
}

DEFAULTS: dict[IndexKind, Params] = {
    IndexKind.ANNOY: {"n_trees": 50, "search_k": -1, "seed": 42},
    IndexKind.HNSW: {"M": 16, "ef_construction": 200, "ef": 64, "seed": 42},
    IndexKind.EXACT: {},
}


class VectorIndex(Protocol):
    """What the service needs from an index: k nearest rows to a vector or to a stored row."""

    kind: IndexKind
    dimension: int
    count: int
    params: Params

    def query(self, vector: np.ndarray, k: int) -> tuple[list[int], list[float]]:
        """Row ids and Euclidean distances of the k rows nearest `vector`, nearest first."""
        ...

    def query_row(self, row: int, k: int) -> tuple[list[int], list[float]]:
        """The k rows nearest stored row `row`, the row itself left out."""
        ...

    def save(self, directory: Path) -> None:
        """Write the data file and `index.json` into `directory` (created if missing)."""
        ...


# --- helpers shared by the implementations ---------------------------------------------------


def _as_matrix(vectors: np.ndarray) -> np.ndarray:
    """A C-contiguous float32 (n, d) copy-if-needed; every library wants exactly this."""
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    if matrix.ndim != 2 or matrix.shape[0] == 0 or matrix.shape[1] == 0:
        raise ValueError(f"vectors must be a non-empty (n, d) matrix, got shape {matrix.shape}")
    if not np.isfinite(matrix).all():
        raise ValueError("vectors contain NaN or infinity")
    return matrix


def _as_query(vector: np.ndarray, dimension: int) -> np.ndarray:
    query = np.ascontiguousarray(vector, dtype=np.float32).reshape(-1)
    if query.shape[0] != dimension:
        raise ValueError(f"query has dimension {query.shape[0]}, index has {dimension}")
    return query


def _check_row(row: int, count: int) -> None:
    if not 0 <= row < count:
        raise IndexError(f"row {row} is outside the index (0..{count - 1})")


def _without_row(
    row: int, k: int, ids: list[int], distances: list[float]
) -> tuple[list[int], list[float]]:
    """Drop `row` from k+1 results; if an approximate search missed it, drop the farthest."""
    pairs = [(i, d) for i, d in zip(ids, distances, strict=True) if i != row][:k]
    return [i for i, _ in pairs], [d for _, d in pairs]


def _merge_params(kind: IndexKind, given: dict[str, Any]) -> Params:
    unknown = sorted(set(given) - set(DEFAULTS[kind]))
    if unknown:
        raise ValueError(f"unknown {kind.value} parameters: {', '.join(unknown)}")
    return {**DEFAULTS[kind], **given}


def _write_manifest(directory: Path, index: VectorIndex) -> None:
    manifest = {
        "kind": index.kind.value,
        "dimension": index.dimension,
        "count": index.count,
        "params": index.params,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


# --- implementations --------------------------------------------------------------------------


class AnnoyVectorIndex:
    """Annoy trees. `search_k` -1 means Annoy's default (n_trees × k nodes inspected)."""

    kind = IndexKind.ANNOY

    def __init__(self, annoy_index: AnnoyIndex, dimension: int, count: int, params: Params) -> None:
        self._index = annoy_index
        self.dimension = dimension
        self.count = count
        self.params = params
        self._search_k = int(params["search_k"])

    @classmethod
    def build(cls, vectors: np.ndarray, params: Params) -> AnnoyVectorIndex:
        import annoy

        matrix = _as_matrix(vectors)
        index = annoy.AnnoyIndex(matrix.shape[1], "euclidean")
        index.set_seed(int(params["seed"]))
        for row, vector in enumerate(matrix):
            index.add_item(row, vector.tolist())
        index.build(int(params["n_trees"]), n_jobs=1)
        return cls(index, matrix.shape[1], matrix.shape[0], params)

    @classmethod
    def load(cls, path: Path, dimension: int, count: int, params: Params) -> AnnoyVectorIndex:
        import annoy

        index = annoy.AnnoyIndex(dimension, "euclidean")
        try:
            index.load(str(path))  # Annoy rejects a file whose size does not fit the dimension.
        except OSError as error:
            message = f"{path}: not an Annoy index of dimension {dimension}: {error}"
            raise ValueError(message) from error
        if index.get_n_items() != count:
            raise ValueError(f"{path}: holds {index.get_n_items()} items, {MANIFEST} says {count}")
        return cls(index, dimension, count, params)

    def query(self, vector: np.ndarray, k: int) -> tuple[list[int], list[float]]:
        query = _as_query(vector, self.dimension).tolist()
        n = min(k, self.count)
        return self._index.get_nns_by_vector(query, n, self._search_k, include_distances=True)

    def query_row(self, row: int, k: int) -> tuple[list[int], list[float]]:
        _check_row(row, self.count)
        n = min(k, self.count - 1)
        ids, distances = self._index.get_nns_by_item(
            row, n + 1, self._search_k, include_distances=True
        )
        return _without_row(row, n, ids, distances)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._index.save(str(directory / DATA_FILES[self.kind]))
        _write_manifest(directory, self)


class HnswVectorIndex:
    """An hnswlib graph in space "l2" (squared distances inside, real ones out)."""

    kind = IndexKind.HNSW

    def __init__(self, hnsw_index: Any, dimension: int, count: int, params: Params) -> None:
        self._index = hnsw_index
        self._index.set_ef(int(params["ef"]))
        self._index.set_num_threads(1)  # One query is one thread: request threads parallelise.
        self.dimension = dimension
        self.count = count
        self.params = params

    @classmethod
    def build(cls, vectors: np.ndarray, params: Params) -> HnswVectorIndex:
        import hnswlib

        matrix = _as_matrix(vectors)
        index = hnswlib.Index(space="l2", dim=matrix.shape[1])
        index.init_index(
            max_elements=matrix.shape[0],
            M=int(params["M"]),
            ef_construction=int(params["ef_construction"]),
            random_seed=int(params["seed"]),
        )
        index.add_items(matrix, np.arange(matrix.shape[0]), num_threads=1)
        return cls(index, matrix.shape[1], matrix.shape[0], params)

    @classmethod
    def load(cls, path: Path, dimension: int, count: int, params: Params) -> HnswVectorIndex:
        import hnswlib

        # hnswlib loads a file of another dimension without complaint and then reads garbage,
        # so check its header: six size_t fields, the third the element count, and the bytes
        # per vector as label_offset - data_offset (fields five and six).
        header = path.read_bytes()[:48]
        if len(header) < 48:
            raise ValueError(f"{path}: too short to be an hnswlib index")
        _, _, elements, _, label_offset, data_offset = struct.unpack("<6Q", header)
        if label_offset - data_offset != 4 * dimension:
            stored = (label_offset - data_offset) / 4
            raise ValueError(
                f"{path}: vectors of dimension {stored:g}, {MANIFEST} says {dimension}"
            )
        if elements != count:
            raise ValueError(f"{path}: holds {elements} items, {MANIFEST} says {count}")
        index = hnswlib.Index(space="l2", dim=dimension)
        index.load_index(str(path), max_elements=count)
        return cls(index, dimension, count, params)

    def query(self, vector: np.ndarray, k: int) -> tuple[list[int], list[float]]:
        return self._search(_as_query(vector, self.dimension), min(k, self.count))

    def query_row(self, row: int, k: int) -> tuple[list[int], list[float]]:
        _check_row(row, self.count)
        n = min(k, self.count - 1)
        vector = np.asarray(self._index.get_items([row])[0], dtype=np.float32)
        ids, distances = self._search(vector, n + 1)
        return _without_row(row, n, ids, distances)

    def _search(self, query: np.ndarray, n: int) -> tuple[list[int], list[float]]:
        if n <= 0:
            return [], []
        labels, squared = self._index.knn_query(query, k=n, num_threads=1)
        distances = np.sqrt(np.maximum(squared[0], 0.0))
        return [int(i) for i in labels[0]], [float(d) for d in distances]

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._index.save_index(str(directory / DATA_FILES[self.kind]))
        _write_manifest(directory, self)


class ExactVectorIndex:
    """Brute force over the stored matrix: always right, linear in the catalogue size."""

    kind = IndexKind.EXACT

    def __init__(self, vectors: np.ndarray, params: Params) -> None:
        self._vectors = vectors
        self._vectors.setflags(write=False)  # Shared by request threads: nobody may mutate it.
        self.count, self.dimension = vectors.shape
        self.params = params

    @classmethod
    def build(cls, vectors: np.ndarray, params: Params) -> ExactVectorIndex:
        return cls(_as_matrix(vectors).copy(), params)

    @classmethod
    def load(cls, path: Path, dimension: int, count: int, params: Params) -> ExactVectorIndex:
        vectors = np.load(path, allow_pickle=False)
        if vectors.ndim != 2 or vectors.shape != (count, dimension):
            expected = (count, dimension)
            raise ValueError(f"{path}: shape {vectors.shape}, {MANIFEST} says {expected}")
        return cls(_as_matrix(vectors), params)

    def query(self, vector: np.ndarray, k: int) -> tuple[list[int], list[float]]:
        return self._search(_as_query(vector, self.dimension), min(k, self.count))

    def query_row(self, row: int, k: int) -> tuple[list[int], list[float]]:
        _check_row(row, self.count)
        n = min(k, self.count - 1)
        ids, distances = self._search(self._vectors[row], n + 1)
        return _without_row(row, n, ids, distances)

    def _search(self, query: np.ndarray, n: int) -> tuple[list[int], list[float]]:
        if n <= 0:
            return [], []
        # Differences, not the |x|² - 2x·q + |q|² shortcut: as the recall reference the order of
        # near-ties must not depend on float32 cancellation.
        difference = self._vectors - query
        squared = np.einsum("ij,ij->i", difference, difference)
        nearest = np.argpartition(squared, n - 1)[:n] if n < self.count else np.arange(self.count)
        ordered = nearest[np.lexsort((nearest, squared[nearest]))]  # Ties: lower row first.
        return [int(i) for i in ordered], [float(np.sqrt(squared[i])) for i in ordered]

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / DATA_FILES[self.kind], self._vectors, allow_pickle=False)
        _write_manifest(directory, self)


_IMPLEMENTATIONS: dict[IndexKind, type[AnnoyVectorIndex | HnswVectorIndex | ExactVectorIndex]] = {
    IndexKind.ANNOY: AnnoyVectorIndex,
    IndexKind.HNSW: HnswVectorIndex,
    IndexKind.EXACT: ExactVectorIndex,
}


def build_index(kind: IndexKind, vectors: np.ndarray, **params: int | float | str) -> VectorIndex:
    """Build an index of `kind` over `vectors` (row i gets id i); unset parameters default.

    Parameters: annoy n_trees, search_k, seed; hnsw M, ef_construction, ef, seed; exact none.
    """
    return _IMPLEMENTATIONS[kind].build(vectors, _merge_params(kind, params))


def load_index(directory: Path, dimension: int | None = None) -> VectorIndex:
    """Load an index saved by `VectorIndex.save`, checking it before it serves anything.

    `dimension`, when given, is what the caller's vectors have (the features' 40); an index of
    another dimension is refused here rather than failing on the first query. Every problem is a
    `ValueError` that names the file.
    """
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise ValueError(f"{manifest_path}: missing; is {directory} a saved index?")
    try:
        manifest = json.loads(manifest_path.read_text())
        kind = IndexKind(manifest["kind"])
        recorded = int(manifest["dimension"])
        count = int(manifest["count"])
        params: Params = dict(manifest["params"])
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"{manifest_path}: malformed: {error}") from error
    if recorded <= 0 or count <= 0:
        raise ValueError(f"{manifest_path}: dimension {recorded}, count {count}: must be > 0")
    if dimension is not None and recorded != dimension:
        raise ValueError(f"{manifest_path}: index has dimension {recorded}, expected {dimension}")
    data_path = directory / DATA_FILES[kind]
    if not data_path.is_file():
        raise ValueError(f"{data_path}: missing; {MANIFEST} says this is a {kind.value} index")
    return _IMPLEMENTATIONS[kind].load(data_path, recorded, count, _merge_params(kind, params))
