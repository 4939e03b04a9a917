"""Which page model each document type maps to, and how a reference string finds its page."""

from wagtail.models import Page

from kb.models import ActionPlanPage, CaseStudyPage, CityPage, LessonPage, VisitReportPage
from kb.slugs import slug_for
from kb.structure import SiteStructure

from .schema import REFERENCE

PAGE_MODELS = {
    "city": CityPage,
    "lesson": LessonPage,
    "action_plan": ActionPlanPage,
    "visit_report": VisitReportPage,
    "case_study": CaseStudyPage,
}
DOCUMENT_TYPES = {model: kind for kind, model in PAGE_MODELS.items()}
CASE_STUDY_OWNER = "case-studies"


def find_city(structure: SiteStructure, name: str) -> CityPage | None:
    return CityPage.objects.child_of(structure.cities).filter(slug=slug_for(name)).first()


def find_page(structure: SiteStructure, reference: str) -> Page | None:
    """The page a ``type:owner/slug`` reference names, published or not; ``None`` if there is none."""
    match = REFERENCE.match(reference)
    if not match:
        return None
    if match["owner"] == CASE_STUDY_OWNER:
        parent = structure.case_studies
    else:
        parent = CityPage.objects.child_of(structure.cities).filter(slug=match["owner"]).first()
    if parent is None:
        return None
    model = PAGE_MODELS[match["type"]]
    return model.objects.child_of(parent).filter(slug=match["slug"]).first()


def reference_for(page: Page) -> str:
    kind = DOCUMENT_TYPES[type(page)]
    owner = CASE_STUDY_OWNER if kind == "case_study" else Page.objects.get(path=page.path[: -page.steplen]).slug
    return f"{kind}:{owner}/{page.slug}"
