"""What travelled, in the JSON API: every published adoption with both ends, their cities and the outcome.

A router of the one API in ``search.api`` (which imports this module), with its throttle, its JSON errors and its
OpenAPI document. The records are those the pages show (``lineage.transfers``): both ends published.
"""

from datetime import date

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from kb.content_types import kind_of
from kb.models import CityPage
from plans.models import Action
from plans.open_data import absolute
from search.api import ErrorOut, api
from search.query import InvalidSearch  # its handler answers 400 {detail, parameter}

from .models import Outcome
from .similar import WEIGHTS, similar_cities
from .transfers import Transfer, transfers

router = Router(tags=["Learning lineage"])


class TransferCityOut(Schema):
    name: str
    slug: str
    country: str


class TransferEndOut(Schema):
    type: str = Field(description="lesson, visit_report, action_plan or action")
    title: str
    url: str
    city: TransferCityOut
    plan: str | None = Field(description="For an action: the title of its Action Plan")


class TransferOut(Schema):
    source: TransferEndOut = Field(description="What was adapted")
    adopter: TransferEndOut = Field(description="The lesson or action it was adapted into, in another city")
    changes: str = Field(description="What the adopting city changed, and why (in its own language)")
    language: str = Field(description="The language of changes and outcome_note")
    outcome: str | None = Field(
        description="worked, partly or did_not_work, as the adopting city reports; null if not reported yet"
    )
    outcome_date: date | None
    outcome_note: str


class TransferListOut(Schema):
    total: int
    results: list[TransferOut]


class TransferFilters(Schema):
    city: str | None = Field(None, max_length=255, description="A city's slug: what it learned and what it taught")
    outcome: Outcome | None = Field(None, description="Only records with this reported outcome")


def _end(request: HttpRequest, item, city: CityPage) -> dict:
    is_action = isinstance(item, Action)
    return {
        "type": "action" if is_action else kind_of(item).key,
        "title": item.title,
        "url": absolute(request, item.url),
        "city": {"name": city.title, "slug": city.slug, "country": city.country.code},
        "plan": item.plan.title if is_action else None,
    }


def transfer_record(request: HttpRequest, transfer: Transfer) -> dict:
    return {
        "source": _end(request, transfer.source, transfer.source_city),
        "adopter": _end(request, transfer.adopter, transfer.adopter_city),
        "changes": transfer.changes,
        "language": transfer.language,
        "outcome": transfer.outcome or None,
        "outcome_date": transfer.outcome_date,
        "outcome_note": transfer.outcome_note,
    }


@router.get(
    "/transfers",
    response={200: TransferListOut, 400: ErrorOut},
    summary="What travelled from city to city",
    description="Every published adoption record: a lesson or action of one city adapted from a lesson, visit "
    "report, Action Plan or action of another, what was changed, and the outcome the adopting city reports.",
    url_name="transfers",
)
def list_transfers(request: HttpRequest, filters: Query[TransferFilters]):
    if filters.city is None:
        found = transfers()
    else:
        city = CityPage.objects.published().filter(slug=filters.city).first()
        if city is None:
            raise InvalidSearch("city", f"no published city has the slug {filters.city[:60]!r}")
        found = transfers(adopter_city=city) + transfers(source_city=city)
    if filters.outcome is not None:
        found = [transfer for transfer in found if transfer.outcome == filters.outcome]
    return {"total": len(found), "results": [transfer_record(request, transfer) for transfer in found]}


class SimilarPartsOut(Schema):
    challenges: float
    themes: float
    size: float
    place: float
    programme: float


class SimilarCityOut(Schema):
    city: TransferCityOut
    url: str
    score: float = Field(description="Σ weight × part, between 0 and 1 (weights in the endpoint's description)")
    parts: SimilarPartsOut = Field(description="Each part between 0 and 1")
    reasons: list[str] = Field(description="The parts that count, in words, in the interface language")


@router.get(
    "/cities/{slug}/similar",
    response={200: list[SimilarCityOut], 404: ErrorOut},
    summary="Cities like this one, with the reasons",
    description="The published cities most like this one. Score = "
    + " + ".join(f"{weight} × {name}" for name, weight in WEIGHTS.items())
    + ": challenges, the closeness in meaning of what both wrote (rescaled among the candidates); themes, the "
    "Jaccard overlap of their themes; size, 1 in the same population band and 0.5 in the next; place, 1 in the "
    "same country and 0.6 in the same climate region; programme, 0.5 for the same cohort plus 0.5 for a Pilot City "
    "with a Twin City.",
    url_name="similar_cities",
)
def list_similar_cities(request: HttpRequest, slug: str, limit: int = Query(5, ge=1, le=20)):
    city = CityPage.objects.published().filter(slug=slug[:255]).first()
    if city is None:
        return Status(404, {"detail": f"no published city has the slug {slug[:60]!r}", "parameter": "slug"})
    return [
        {
            "city": {"name": match.city.title, "slug": match.city.slug, "country": match.city.country.code},
            "url": absolute(request, match.city.url),
            "score": round(match.score, 4),
            "parts": {name: round(value, 4) for name, value in match.parts.items()},
            "reasons": match.reasons,
        }
        for match in similar_cities(city, limit)
    ]


api.add_router("", router)
