"""The database backend's documents as columns in memory: what filters, facet counts and ordering read.

Loading ten thousand rows and decoding their JSON costs more than the search itself, so each process keeps the
columns and reloads them only when the documents' version token has changed (every write sets a new one).
"""

import threading
import uuid
from dataclasses import dataclass

import numpy as np

from .. import embeddings, semantics
from ..facets import FACETS
from ..models import SearchDocument, SearchDocumentsVersion

MULTI_VALUED = {"themes", "concepts", "reuse"}  # document fields holding a list
# Columns read besides the facets': the glossary concepts a document names (matched like words).
EXTRA = ("concepts",)


@dataclass
class Facet:
    values: list[str]  # the facet's values, in the order of the codes below
    codes: np.ndarray | None = None  # one value per document: its index in ``values``, or -1 (single-valued)
    matrix: np.ndarray | None = None  # documents × values, True where a document has the value (multi-valued)

    def mask(self, selected) -> np.ndarray:
        """Documents with any of the ``selected`` values."""
        indexes = [self.values.index(value) for value in selected if value in self.values]
        if self.matrix is not None:
            return self.matrix[:, indexes].any(axis=1) if indexes else np.zeros(len(self.matrix), dtype=bool)
        return np.isin(self.codes, indexes)

    def counts(self, among: np.ndarray) -> dict[str, int]:
        """How many of the documents in ``among`` (a mask) have each value."""
        if self.matrix is not None:
            totals = self.matrix[among].sum(axis=0)
        else:
            codes = self.codes[among]
            totals = np.bincount(codes[codes >= 0], minlength=len(self.values))
        return {value: int(total) for value, total in zip(self.values, totals, strict=True) if total}


@dataclass
class Columns:
    ids: np.ndarray  # SearchDocument ids, one per position
    position: dict[int, int]  # id → position
    dates: np.ndarray  # ordinal of each document's date, 0 for none
    editors_pick: np.ndarray
    facets: dict[str, Facet]  # by document field (and the extra columns)
    vectors: np.ndarray  # documents × dimensions, zeros where a document's vector is not computed yet
    has_vector: np.ndarray
    record_of: np.ndarray  # for a record's document (an action's), the id of its page; 0 for a page's own
    page_ids: np.ndarray  # the page each document comes from: itself, or a record's page

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def load(cls) -> "Columns":
        fields = [facet.field for facet in FACETS] + list(EXTRA)
        rows = list(
            SearchDocument.objects.order_by("id").values_list(
                "id", "date", "editors_pick", "embedding_key", *fields, "key", "page_id"
            )
        )
        ids = np.array([row[0] for row in rows], dtype=np.int64)
        facets = {}
        for offset, field in enumerate(fields, start=4):
            column = [row[offset] for row in rows]
            if field in MULTI_VALUED:
                values = sorted({value for entry in column for value in entry})
                matrix = np.zeros((len(rows), len(values)), dtype=bool)
                index = {value: number for number, value in enumerate(values)}
                for row_number, entry in enumerate(column):
                    matrix[row_number, [index[value] for value in entry]] = True
                facets[field] = Facet(values, matrix=matrix)
            else:
                values = sorted({value for value in column if value})
                index = {value: number for number, value in enumerate(values)}
                codes = np.array([index.get(value, -1) for value in column], dtype=np.int32)
                facets[field] = Facet(values, codes=codes)
        stored = embeddings.vectors(row[3] for row in rows if row[3])
        dimensions = len(next(iter(stored.values()))) if stored else 0
        matrix = np.zeros((len(rows), dimensions), dtype=np.float32)
        has_vector = np.zeros(len(rows), dtype=bool)
        for number, row in enumerate(rows):
            if (vector := stored.get(row[3])) is not None and len(vector) == dimensions:
                matrix[number], has_vector[number] = vector, True
        return cls(
            vectors=semantics.neutral(matrix) if has_vector.any() else matrix,
            has_vector=has_vector,
            ids=ids,
            position={int(pk): number for number, pk in enumerate(ids)},
            dates=np.array([row[1].toordinal() if row[1] else 0 for row in rows], dtype=np.int64),
            editors_pick=np.array([row[2] for row in rows], dtype=bool),
            facets=facets,
            record_of=np.array([row[-1] if row[-2] != str(row[-1]) else 0 for row in rows], dtype=np.int64),
            page_ids=np.array([row[-1] for row in rows], dtype=np.int64),
        )


_lock = threading.Lock()
_cached: tuple[tuple, Columns] | None = None


def changed() -> None:
    """Mark the documents as changed, in the writer's transaction."""
    SearchDocumentsVersion.objects.update_or_create(pk=1, defaults={"token": uuid.uuid4().hex})


def columns() -> Columns:
    """The columns of the documents as they are now (reloaded after any write, by any process)."""
    global _cached
    stamp = SearchDocumentsVersion.objects.filter(pk=1).values_list("token", flat=True).first()
    cached = _cached
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock:
        if _cached is None or _cached[0] != stamp:
            _cached = (stamp, Columns.load())
        return _cached[1]
