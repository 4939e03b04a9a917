"""Vectors for a large benchmark corpus without embedding every document, to measure what vectors cost.

At 6–7 texts/s a first embedding of 100,000 documents takes four to five hours on this machine, which no
benchmark run can spend. A sample of the documents is embedded for real by the configured model; every other
document gets the vector of a sampled document of the same type, language and first theme, moved by random
noise (cosine about 0.93 to it, as two texts on one subject in one language are with e5) and renormalised, stored
under its own embedding key as the model's vector would be. The rebuild, the engine's k-NN graph and the
database's matrix then hold as many distinct vectors, in clusters like the corpus's own (it is written from
templates per theme and language), which is what their cost depends on. Relevance is never measured on them.
"""

import numpy as np

from search import embeddings, semantics
from search.backends.columns import changed
from search.indexer import embed_documents
from search.models import Embedding

# Per-dimension noise: the cosine of a unit vector and the same plus noise is about 1 / sqrt(1 + d σ²), 0.93 at
# 384 dimensions.
NOISE = 0.02


def group_of(document: dict) -> tuple:
    return document["type"], document.get("language"), (document.get("themes") or [""])[0]


def fill(documents: list[dict], sample: int, seed: int = 1) -> dict:
    """Embed ``sample`` of ``documents`` for real and give the others stand-in vectors; return the counts."""
    embedder = embeddings.get_embedder()
    rng = np.random.default_rng(seed)
    keyed = [document for document in documents if document.get("embedding_key")]
    chosen = [keyed[i] for i in sorted(rng.choice(len(keyed), size=min(sample, len(keyed)), replace=False))]
    embedded = embed_documents(chosen)
    stored = embeddings.vectors(document["embedding_key"] for document in chosen)
    by_group: dict[tuple, list[np.ndarray]] = {}
    for document in chosen:
        by_group.setdefault(group_of(document), []).append(stored[document["embedding_key"]])
    everything = list(stored.values())
    have = set(stored)
    rows = []
    for document in keyed:
        key = document["embedding_key"]
        if key in have:
            continue
        have.add(key)
        candidates = by_group.get(group_of(document)) or everything
        vector = candidates[rng.integers(len(candidates))] + rng.normal(0, NOISE, embedder.dimensions)
        vector = (vector / np.linalg.norm(vector)).astype(np.float32)
        rows.append(Embedding(key=key, model=embedder.model, vector=embeddings.to_bytes(vector)))
        if len(rows) >= 2000:  # noqa: PLR2004
            Embedding.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    Embedding.objects.bulk_create(rows, ignore_conflicts=True)
    changed()  # the database search's matrix, and the documents' statistics, are read anew
    semantics.forget_statistics()
    return {"embedded": embedded, "stand_ins": len(have) - len(stored), "groups": len(by_group)}
