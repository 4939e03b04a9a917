"""Real spellings for "did you mean": the words of the network's own documents, nearest first.

The vocabulary is every word of the documents' titles, summaries, place names and the opening of their text,
folded, with the number of documents it appears in; it is built when first needed and again ten minutes later
at the earliest (words come and go slowly). A query word the vocabulary lacks is replaced by the most common
vocabulary word within one edit (two for long words), so that "renovaton" becomes "renovation" and "food" stays
"food" when some document says "food".
"""

import re
import threading
import time
from collections import Counter

from rapidfuzz import distance, process

from . import analysis
from .models import SearchDocument

_WORD = re.compile(r"[^\W\d_]{3,}")
OPENING = 3000  # characters of each text read for the vocabulary
VOCABULARY_TTL = 600.0
_lock = threading.Lock()
_cached: tuple[float, Counter] | None = None


def vocabulary() -> Counter:
    global _cached
    if _cached is None or time.monotonic() - _cached[0] > VOCABULARY_TTL:
        with _lock:
            words: Counter = Counter()
            rows = SearchDocument.objects.values_list("title", "summary", "places", "content")
            for title, summary, places, content in rows.iterator(chunk_size=500):
                words.update(set(_WORD.findall(analysis.fold(f"{title} {summary} {places} {content[:OPENING]}"))))
            _cached = (time.monotonic(), words)
    return _cached[1]


def _known(word: str) -> bool:
    """A word the vocabulary lacks may be newer than it, or deeper in a text: ask the documents themselves."""
    from .backends import database_backend

    if database_backend().knows(word):
        vocabulary()[word] += 1
        return True
    return False


def forget() -> None:
    """The next correction reads the vocabulary anew (after a rebuild, and in tests)."""
    global _cached
    _cached = None


def corrected(query: str) -> str | None:
    """The query with its unknown words spelled as the documents spell them; ``None`` if nothing changes."""
    words = vocabulary()
    changed = False

    def replace(match: re.Match) -> str:
        nonlocal changed
        word = match.group()
        folded = analysis.fold(word)
        if folded in words or len(folded) < 4 or _known(folded):
            return word
        limit = 1 if len(folded) < 8 else 2
        candidates = process.extract(folded, words.keys(), scorer=distance.Levenshtein.distance,
                                     score_cutoff=limit, limit=20)  # fmt: skip
        if not candidates:
            return word
        best = min(candidates, key=lambda found: (found[1], -words[found[0]]))[0]
        changed = True
        return best

    result = _WORD.sub(replace, query)
    return result if changed else None
