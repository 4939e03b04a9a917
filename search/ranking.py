"""How words and meaning are weighed against each other: the fusion of lexical and semantic evidence.

Both backends combine the same way. The lexical score (BM25 in the engine, inverse document frequency in the
database) is saturated to ``s / (s + saturation)``, between 0 and 1, so that no number of matching words
outweighs everything else. A document is related by meaning when its similarity to the query stands out from
the documents at large by more than ``threshold`` standard deviations (``search/semantics.py``); it then adds
``weight × (z − threshold) / 3``. Documents below the threshold are not found by meaning at all, which keeps
totals, facets and pages consistent with the hits shown.

Records that are results of their own (an Action Plan's actions) count ``RECORD_WEIGHT`` of a page, and one
page's records are spread out over the first results (``diversified``), in both backends alike.

The values are tuned on the judged queries (``make relevance RELEVANCE_ARGS=--tune``; bench/relevance/), not by
intuition; BENCHMARKS.md has the figures.
"""

from dataclasses import dataclass

# At most this many documents are found by meaning alone in the engine: the nearest that stand out. The database
# takes every one that stands out, exactly, at the scale it serves (a few thousand documents).
NEIGHBOURS = 100
SPREAD = 3.0  # standard deviations over which meaning's contribution grows to its weight


@dataclass(frozen=True)
class Fusion:
    saturation: float  # the lexical score at which words count half of their most
    weight: float  # what meaning adds, at ``SPREAD`` standard deviations above the threshold
    threshold: float  # how many standard deviations above the mean similarity a document must stand
    # Each word beyond three makes the words count less (saturation × (1 + long_query × extra words)): in a
    # long question, one word matching is weak evidence, and meaning is what a question is asked for.
    long_query: float = 0.0
    # The threshold of the second chance a search gets when it finds fewer than a few results (a narrow filter,
    # a rare subject): what is less clearly related by meaning is better than next to nothing.
    widened_threshold: float = 0.5

    def saturation_for(self, words: int) -> float:
        return self.saturation * (1 + self.long_query * max(0, words - 3))

    def threshold_for(self, widened: bool) -> float:
        return min(self.threshold, self.widened_threshold) if widened else self.threshold


ENGINE = Fusion(saturation=2.0, weight=5.0, threshold=1.25, long_query=0.5)
DATABASE = Fusion(saturation=4.0, weight=2.0, threshold=0.75, long_query=1.0)


# --- one page's records do not fill the first results -----------------------------------------------------

# A query about a plan's subject matches many of its actions, which share its words and its city: the first
# results would be one plan's actions. Within the first ``DIVERSIFY_WINDOW`` results (sorted by relevance), each
# further record of the same page counts ``RECORD_DECAY`` times less than the one before it: the best action of
# a plan keeps its place, its second comes at half its score, its third at a quarter. Nothing is left out (totals
# and facets stay true; a reader filtering by "Actions" sees them all), and past the window the order is the
# backend's own, so that pages of results neither repeat nor skip a result. Sorted by date, nothing is reordered.
DIVERSIFY_WINDOW = 30
RECORD_DECAY = 0.5
# A record's score counts this much of a page's. An action is a line of its plan: short, and its few words and
# the meaning of a short text (which stands out from the documents at large more easily: its similarities to the
# judged queries average 0.27 standard deviations higher than a page's) meet many queries a lesson answers
# better. On the judged queries (bench/relevance.py), 0.5–0.8 score within 0.01 nDCG of each other, all above
# 1.0 (no weight); 0.6 still ranks first the actions that are a query's best answer.
RECORD_WEIGHT = 0.6


# What worked in another city (a lesson, a visit, a plan or an action another city adapted and reported as
# "worked", ``lineage``) counts this much more: a tie-breaker among answers that fit, not a reason to rank what
# fits less above what fits more. Measured on the judged queries (BENCHMARKS.md, issue 14).
PROVEN_WEIGHT = 1.1


def diversified(groups: list, scores: list[float]) -> list[int]:
    """The order (positions into the inputs, which are ranked) in which further records of a page sink.

    ``groups[i]`` is the page whose record result ``i`` is, or ``None`` for a page's own document.
    """
    seen: dict = {}
    keyed = []
    for position, (group, score) in enumerate(zip(groups, scores, strict=True)):
        factor = 1.0
        if group is not None:
            factor = RECORD_DECAY ** seen.get(group, 0)
            seen[group] = seen.get(group, 0) + 1
        keyed.append((-score * factor, position))
    return [position for _score, position in sorted(keyed)]
