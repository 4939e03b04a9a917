"""The fixed top of the page tree: home, the city and case-study indexes and the network-wide listings."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import translation

from home.models import HomePage
from kb.content_types import LISTED
from kb.models import CaseStudyIndexPage, CityIndexPage, ListingPage


@dataclass
class SiteStructure:
    home: HomePage
    cities: CityIndexPage
    case_studies: CaseStudyIndexPage


@transaction.atomic
def ensure_site_structure() -> SiteStructure:
    """Create the index pages once; later calls return the existing ones."""
    home = HomePage.objects.get(depth=2)
    cities = _child(home, CityIndexPage, slug="cities", title="Cities")
    case_studies = _child(home, CaseStudyIndexPage, slug="case-studies", title="Case studies")
    for kind in LISTED:
        with translation.override("en"):  # page titles are content, written in English here
            title = str(kind.plural)
        _child(home, ListingPage, slug=kind.listing, title=title, listed_type=kind.key)
    return SiteStructure(home, cities, case_studies)


def _child(parent, model, *, slug, **fields):
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing:
        return existing
    page = parent.add_child(instance=model(slug=slug, **fields))
    page.save_revision().publish()
    return page
