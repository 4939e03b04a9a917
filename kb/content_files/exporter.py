"""Pages back to documents and files: the inverse of the importer."""

from decimal import Decimal
from pathlib import Path

from kb.models import CityPage, LessonPage, VisitReportPage

from .document import ContentDocument, join_sections, write_document
from .pages import CASE_STUDY_OWNER, DOCUMENT_TYPES, PAGE_MODELS, reference_for

LESSON_HEADINGS = [
    ("challenge", "Challenge"),
    ("what_we_did", "What we did"),
    ("results", "Results"),
    ("what_did_not_work", "What did not work"),
    ("transferability", "Transferability"),
]
VISIT_HEADINGS = [("agenda", "Agenda"), ("findings", "Findings")]


def latest_content(page):
    """A page as its newest revision has it, drafts included."""
    return page.get_latest_revision_as_object() if page.latest_revision_id else page


def document_for(page) -> ContentDocument:
    kind = DOCUMENT_TYPES[type(page)]
    meta = _compact(_META_BUILDERS[kind](page))
    return ContentDocument(type=kind, title=page.title, slug=page.slug, meta=meta, body=_body(page).strip())


def export_all(directory: Path) -> list[Path]:
    """Write every page (its latest revision) as a file; return the paths written."""
    written = []
    for model in PAGE_MODELS.values():
        for page in model.objects.order_by("path"):
            document = document_for(latest_content(page))
            path = directory / _relative_path(page, document)
            write_document(document, path, front_matter(document))
            written.append(path)
    return written


def front_matter(document: ContentDocument) -> dict:
    return {"type": document.type, "title": document.title, "slug": document.slug, **_yaml_safe(document.meta)}


def _relative_path(page, document: ContentDocument) -> Path:
    if document.type == "city":
        return Path("cities") / f"{page.slug}.md"
    if document.type == "case_study":
        return Path(CASE_STUDY_OWNER) / f"{page.slug}.md"
    return Path(page.get_parent().slug) / f"{page.slug}.md"


def _body(page) -> str:
    if isinstance(page, CityPage):
        return page.description
    if isinstance(page, LessonPage):
        return join_sections(page.body, [(heading, getattr(page, name)) for name, heading in LESSON_HEADINGS])
    if isinstance(page, VisitReportPage):
        return join_sections(page.body, [(heading, getattr(page, name)) for name, heading in VISIT_HEADINGS])
    return page.body


def _city_meta(page) -> dict:
    return {
        "language": page.language,
        "country": page.country.code,
        "role": page.role,
        "cohort": page.cohort,
        "population": page.population,
        "target_year": page.target_year,
        "latitude": page.latitude,
        "longitude": page.longitude,
        "website": page.website,
        "summary": page.summary,
        "themes": _theme_names(page),
        "twins": [
            _compact({"city": t.twin.label, "cohort": t.cohort, "start": t.start, "end": t.end})
            for t in page.twinnings.all()
        ],
    }


def _content_meta(page) -> dict:
    return {
        "language": page.language,
        "date": page.date,
        "summary": page.summary,
        "themes": _theme_names(page),
        "editors_pick": page.editors_pick,
    }


def _theme_names(page) -> list[str]:
    return sorted(theme.name for theme in page.themes.all())


def _city_content_meta(page) -> dict:
    city = CityPage.objects.get(path=page.path[: -page.steplen])
    return {
        "city": city.title,
        "country": city.country.code,
        **_content_meta(page),
        "partner_cities": sorted(partner.label for partner in page.partner_cities.all()),
    }


def _lesson_meta(page) -> dict:
    source = page.source.specific if page.source_id else None
    return {**_city_content_meta(page), "cost_effort": page.cost_effort, "source": source and reference_for(source)}


def _action_plan_meta(page) -> dict:
    return {
        **_city_content_meta(page),
        "status": page.status,
        "adopted_on": page.adopted_on,
        "actions": [_action(block.value) for block in page.actions],
    }


def _action(value) -> dict:
    return _compact(
        {
            "title": value["title"],
            "description": value["description"],
            "theme": value["theme"].name if value["theme"] else None,
            "lead_department": value["lead_department"],
            "planned_start": value["planned_start"],
            "planned_end": value["planned_end"],
            "actual_start": value["actual_start"],
            "actual_end": value["actual_end"],
            "budget_eur": value["budget_eur"],
            "status": value["status"],
            "kpis": [_compact(dict(kpi)) for kpi in value["kpis"]],
            "lessons": [reference_for(lesson.specific) for lesson in value["lessons"] if lesson],
        }
    )


def _visit_report_meta(page) -> dict:
    return {
        **_city_content_meta(page),
        "host_city": page.host_city.label,
        "visiting_cities": sorted(city.label for city in page.visiting_cities.all()),
        "start_date": page.start_date,
        "end_date": page.end_date,
        "module": page.module,
        "participants": page.participants,
        "outputs": [reference_for(output.target.specific) for output in page.outputs.all()],
    }


def _case_study_meta(page) -> dict:
    return {
        **_content_meta(page),
        "featured": page.featured,
        "items": [
            _compact({"ref": reference_for(item.target.specific), "note": item.note}) for item in page.items.all()
        ],
    }


_META_BUILDERS = {
    "city": _city_meta,
    "lesson": _lesson_meta,
    "action_plan": _action_plan_meta,
    "visit_report": _visit_report_meta,
    "case_study": _case_study_meta,
}


def _compact(values: dict) -> dict:
    """Leave out empty values, as the importer does, so that documents compare equal."""
    return {key: value for key, value in values.items() if value not in (None, "", [])}


def _yaml_safe(value):
    if isinstance(value, dict):
        return {key: _yaml_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_yaml_safe(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
