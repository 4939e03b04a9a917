"""What travelled, in the JSON API: every published adoption with both ends, their cities and the outcome.

A router of the one API in ``search.api`` (which imports this module), with its throttle, its JSON errors and its
OpenAPI document. The records are those the pages show (``lineage.transfers``): both ends published.
"""

from datetime import date

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from kb.content_types import kind_of
from kb.models import CityPage
from plans.models import Action
from plans.open_data import absolute
from search.api import ErrorOut, api
from search.query import InvalidSearch  # its handler answers 400 {detail, parameter}

from .models import Outcome
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


api.add_router("", router)
