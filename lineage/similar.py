"""Cities like mine: for a city, the cities most like it, each with the reasons, and a score anyone can recompute.

The score is a weighted sum of five parts, each between 0 and 1 (``WEIGHTS``; they add up to 1):

- **challenges** (0.35): how close in meaning what the two cities wrote about (their lessons, plans and actions)
  is: the cosine of the mean language-neutral embeddings of their documents (``search.semantics``), rescaled so
  that the closest candidate city counts 1 and the farthest 0 (e5's cosines sit in a narrow band);
- **themes** (0.25): the Jaccard overlap of the themes of the city and of its lessons and plans;
- **size** (0.15): 1 in the same population band (``POPULATION_BANDS``), 0.5 in the next one;
- **place** (0.15): 1 in the same country, 0.6 in the same climate region (``CLIMATE_REGIONS``, the EEA's
  biogeographical regions simplified to one per country);
- **programme** (0.10): 0.5 for the same cohort, 0.5 when one is a Pilot City and the other a Twin City (whom to
  learn from, whom to mentor).

A part is listed as a reason when it counts at least ``REASON_AT``. Everything is read from the database backend's
columns (``search.backends.columns``, kept in memory and reloaded after a write) and the cities' own fields.
"""

from dataclasses import dataclass, field

import numpy as np
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kb.models import CityPage, CityRole, Theme
from kb.themes import theme_name
from search.backends.columns import columns
from search.models import SearchDocument

WEIGHTS = {"challenges": 0.35, "themes": 0.25, "size": 0.15, "place": 0.15, "programme": 0.10}
REASON_AT = 0.5
POPULATION_BANDS = (50_000, 100_000, 250_000, 500_000, 1_000_000)  # band edges: 6 bands
WRITTEN_TYPES = ("lesson", "action_plan", "action")  # what says what a city works on

MEDITERRANEAN, CONTINENTAL, ATLANTIC, BOREAL, ALPINE = (
    gettext_lazy("Mediterranean"),
    gettext_lazy("Continental"),
    gettext_lazy("Atlantic"),
    gettext_lazy("Boreal"),
    gettext_lazy("Alpine"),
)
CLIMATE_REGIONS = {
    **dict.fromkeys(["ES", "PT", "IT", "GR", "CY", "MT", "HR"], MEDITERRANEAN),
    **dict.fromkeys(["DE", "PL", "CZ", "SK", "HU", "RO", "BG", "SI", "RS", "BA", "ME", "MK", "AL", "UA"], CONTINENTAL),
    **dict.fromkeys(["FR", "BE", "NL", "LU", "IE", "GB", "DK", "IS"], ATLANTIC),
    **dict.fromkeys(["FI", "SE", "NO", "EE", "LV", "LT"], BOREAL),
    **dict.fromkeys(["AT", "CH", "LI"], ALPINE),
}


@dataclass
class Match:
    city: CityPage
    score: float
    parts: dict[str, float]
    reasons: list[str] = field(default_factory=list)
    closest: tuple[str, str, str, str] | None = None  # (their document's title, url, mine's title, url)

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def band(population: int | None) -> int | None:
    return None if not population else sum(population >= edge for edge in POPULATION_BANDS)


def band_label(number: int) -> str:
    edges = (0, *POPULATION_BANDS)
    if number == len(POPULATION_BANDS):
        return _("over %(low)s inhabitants") % {"low": _grouped(POPULATION_BANDS[-1])}
    return _("%(low)s–%(high)s inhabitants") % {"low": _grouped(edges[number]), "high": _grouped(edges[number + 1])}


def _grouped(number: int) -> str:
    """1,000,000 in English, 1.000.000 in German."""
    return number_format(number, force_grouping=True)


@dataclass
class _Profiles:
    """Per city slug: the mean vector of its written documents, its themes, and its documents' positions."""

    vectors: dict[str, np.ndarray]
    themes: dict[str, set[str]]
    documents: dict[str, np.ndarray]


def _profiles() -> _Profiles:
    table = columns()
    city, kind, themes = table.facets["city"], table.facets["type"], table.facets["themes"]
    written = np.isin(kind.codes, [kind.values.index(key) for key in WRITTEN_TYPES if key in kind.values])
    vectors, theme_sets, documents = {}, {}, {}
    for code, slug in enumerate(city.values):
        mine = (city.codes == code) & written
        theme_sets[slug] = {themes.values[i] for i in np.flatnonzero(themes.matrix[mine].any(axis=0))}
        with_vector = np.flatnonzero(mine & table.has_vector)
        documents[slug] = with_vector
        if len(with_vector):
            mean = table.vectors[with_vector].mean(axis=0)
            vectors[slug] = mean / (np.linalg.norm(mean) or 1.0)
    return _Profiles(vectors, theme_sets, documents)


def similar_cities(city: CityPage, limit: int = 5, role: str | None = None) -> list[Match]:
    """The published cities most like ``city``, best first, each with its parts and reasons; ``role``: only
    cities of that role (scored among all, as on the city page)."""
    candidates = list(CityPage.objects.published().exclude(pk=city.pk))
    profiles = _profiles()
    own_themes = profiles.themes.get(city.slug, set()) | set(city.themes.values_list("slug", flat=True))
    cosines = {
        other.slug: float(profiles.vectors[city.slug] @ profiles.vectors[other.slug])
        for other in candidates
        if city.slug in profiles.vectors and other.slug in profiles.vectors
    }
    low, high = (min(cosines.values()), max(cosines.values())) if cosines else (0.0, 0.0)
    city_themes = _city_themes(candidates)
    matches = []
    for other in candidates:
        theirs = profiles.themes.get(other.slug, set()) | city_themes.get(other.pk, set())
        shared = own_themes & theirs
        parts = {
            "challenges": (cosines[other.slug] - low) / (high - low) if other.slug in cosines and high > low else 0.0,
            "themes": len(shared) / len(own_themes | theirs) if own_themes | theirs else 0.0,
            "size": _size(city, other),
            "place": _place(city, other),
            "programme": _programme(city, other),
        }
        score = sum(WEIGHTS[name] * value for name, value in parts.items())
        matches.append(Match(other, score, parts, _reasons(city, other, parts, shared)))
    matches.sort(key=lambda match: (-match.score, match.city.title))
    best = [match for match in matches if role is None or match.city.role == role][:limit]
    for match in best:
        if match.parts["challenges"] >= REASON_AT:
            match.closest = _closest_pair(profiles, table=columns(), mine=city.slug, theirs=match.city.slug)
    return best


def _city_themes(cities) -> dict[int, set[str]]:
    through = CityPage.themes.through.objects.filter(citypage__in=[city.pk for city in cities])
    found: dict[int, set[str]] = {}
    for city_id, slug in through.values_list("citypage_id", "theme__slug"):
        found.setdefault(city_id, set()).add(slug)
    return found


def _size(city, other) -> float:
    mine, theirs = band(city.population), band(other.population)
    if mine is None or theirs is None:
        return 0.0
    return 1.0 if mine == theirs else 0.5 if abs(mine - theirs) == 1 else 0.0


def _region(city):
    return CLIMATE_REGIONS.get(city.country.code)


def _place(city, other) -> float:
    if city.country == other.country:
        return 1.0
    return 0.6 if _region(city) and _region(city) == _region(other) else 0.0


def _programme(city, other) -> float:
    same_cohort = 0.5 if city.cohort and city.cohort == other.cohort else 0.0
    roles = {city.role, other.role}
    mentor = 0.5 if roles == {CityRole.PILOT, CityRole.TWIN} else 0.0
    return same_cohort + mentor


def _reasons(city, other, parts, shared) -> list[str]:
    reasons = []
    if parts["challenges"] >= REASON_AT:
        reasons.append(_("similar challenges in what both cities wrote"))
    if shared and parts["themes"] >= REASON_AT / 2:
        named = dict(Theme.objects.filter(slug__in=shared).values_list("slug", "name"))
        names = ", ".join(sorted(theme_name(named.get(slug, slug)) for slug in shared))
        reasons.append(_("shared themes: %(themes)s") % {"themes": names})
    if parts["size"] == 1.0:
        reasons.append(_("same size (%(band)s)") % {"band": band_label(band(city.population))})
    elif parts["size"]:
        reasons.append(_("similar size"))
    if parts["place"] == 1.0:
        reasons.append(_("same country"))
    elif parts["place"]:
        reasons.append(_("same climate region (%(region)s)") % {"region": _region(city)})
    if city.cohort and city.cohort == other.cohort:
        reasons.append(_("same cohort (%(cohort)d)") % {"cohort": city.cohort})
    if {city.role, other.role} == {CityRole.PILOT, CityRole.TWIN}:
        reasons.append(_("a Pilot City and a Twin City"))
    return reasons


def _closest_pair(profiles: _Profiles, *, table, mine: str, theirs: str):
    """The two documents, one of each city, closest in meaning: the evidence for "similar challenges"."""
    ours, others = profiles.documents.get(mine, ()), profiles.documents.get(theirs, ())
    if not len(ours) or not len(others):
        return None
    similarity = table.vectors[others] @ table.vectors[ours].T
    their_position, my_position = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
    ids = [int(table.ids[others[their_position]]), int(table.ids[ours[my_position]])]
    found = {doc.pk: doc for doc in SearchDocument.objects.filter(pk__in=ids).only("title", "url")}
    if len(found) < 2:
        return None
    return found[ids[0]].title, found[ids[0]].url, found[ids[1]].title, found[ids[1]].url


@dataclass
class Pairing:
    """Whom to pair a city (or a challenge) with: Pilot Cities and lessons, each with its evidence."""

    pilots: list[Match]
    lessons: list[tuple[SearchDocument, float]]  # lesson documents of other cities, with their cosine


def pairing_for_city(city: CityPage, limit: int = 5) -> Pairing:
    """Pilot Cities by the cities-like-mine score (with its reasons); lessons by closeness to what it wrote."""
    pilots = similar_cities(city, limit=limit, role=CityRole.PILOT)
    vector = _profiles().vectors.get(city.slug)
    return Pairing(pilots, _closest_lessons(vector, exclude_city=city.slug, limit=limit))


def pairing_for_challenge(text: str, limit: int = 5) -> Pairing | None:
    """Pilot Cities and lessons closest in meaning to a challenge in a few words (any language); ``None``
    without an embedder. A Pilot City's score is its cosine; its reason, the lesson of it closest to the text."""
    from search import embeddings, semantics

    vector = embeddings.query_vector(text)
    if vector is None:
        return None
    vector = semantics.neutral(vector)
    profiles = _profiles()
    pilots = []
    for pilot in CityPage.objects.published().filter(role=CityRole.PILOT):
        if pilot.slug in profiles.vectors:
            cosine = float(profiles.vectors[pilot.slug] @ vector)
            pilots.append(Match(pilot, cosine, {"challenges": cosine}, [_("close in meaning to the challenge")]))
    pilots.sort(key=lambda match: -match.score)
    return Pairing(pilots[:limit], _closest_lessons(vector, exclude_city="", limit=limit))


def _closest_lessons(vector, *, exclude_city: str, limit: int) -> list[tuple[SearchDocument, float]]:
    if vector is None:
        return []
    table = columns()
    kind, city = table.facets["type"], table.facets["city"]
    if "lesson" not in kind.values:
        return []
    lessons = (kind.codes == kind.values.index("lesson")) & table.has_vector
    if exclude_city in city.values:
        lessons &= city.codes != city.values.index(exclude_city)
    positions = np.flatnonzero(lessons)
    scores = table.vectors[positions] @ vector
    best = positions[np.argsort(-scores)[:limit]]
    documents = SearchDocument.objects.in_bulk([int(table.ids[position]) for position in best])
    cosine = dict(zip(positions.tolist(), scores.tolist(), strict=True))
    return [(documents[int(table.ids[p])], cosine[int(p)]) for p in best if int(table.ids[p]) in documents]
