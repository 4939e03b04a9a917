"""How words and meaning are weighed against each other: the fusion of lexical and semantic evidence.

Both backends combine the same way. The lexical score (BM25 in the engine, inverse document frequency in the
database) is saturated to ``s / (s + saturation)``, between 0 and 1, so that no number of matching words
outweighs everything else. A document is related by meaning when its similarity to the query stands out from
the documents at large by more than ``threshold`` standard deviations (``search/semantics.py``); it then adds
``weight × (z − threshold) / 3``. Documents below the threshold are not found by meaning at all, which keeps
totals, facets and pages consistent with the hits shown.

The values are tuned on the judged queries (``make relevance RELEVANCE_ARGS=--tune``; bench/relevance/), not by
intuition; BENCHMARKS.md has the figures.
"""

from dataclasses import dataclass

SPREAD = 3.0  # standard deviations over which meaning's contribution grows to its weight


@dataclass(frozen=True)
class Fusion:
    saturation: float  # the lexical score at which words count half of their most
    weight: float  # what meaning adds, at ``SPREAD`` standard deviations above the threshold
    threshold: float  # how many standard deviations above the mean similarity a document must stand
    # Each word beyond three makes the words count less (saturation × (1 + long_query × extra words)): in a
    # long question, one word matching is weak evidence, and meaning is what a question is asked for.
    long_query: float = 0.0

    def saturation_for(self, words: int) -> float:
        return self.saturation * (1 + self.long_query * max(0, words - 3))



ENGINE = Fusion(saturation=2.0, weight=5.0, threshold=1.25, long_query=0.5)
DATABASE = Fusion(saturation=4.0, weight=2.0, threshold=0.75, long_query=1.0)
