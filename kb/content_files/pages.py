"""How a reference string or a city name finds its page."""

from wagtail.models import Page

from kb.content_types import BY_KEY
from kb.models import CityPage
from kb.slugs import slug_for
from kb.structure import SiteStructure

from .document import CASE_STUDY_OWNER
from .schema import REFERENCE


def find_city(structure: SiteStructure, name: str) -> CityPage | None:
    return CityPage.objects.child_of(structure.cities).filter(slug=slug_for(name)).first()


def find_page(structure: SiteStructure, reference: str) -> Page | None:
    """The page a ``type:owner/slug`` reference names, published or not; ``None`` if there is none."""
    match = REFERENCE.match(reference)
    if not match or match["type"] not in BY_KEY:
        return None
    if match["owner"] == CASE_STUDY_OWNER:
        parent = structure.case_studies
    else:
        parent = CityPage.objects.child_of(structure.cities).filter(slug=match["owner"]).first()
    if parent is None:
        return None
    return BY_KEY[match["type"]].model.objects.child_of(parent).filter(slug=match["slug"]).first()
