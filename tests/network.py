"""The small network most tests run on, and the names of the pages they look at.

It is taken from the demo files: the Cologne–Soria story (Vitoria-Gasteiz's co-creation visit, the proximity
offices, the case study) and lessons in German, Spanish, Swedish and English from a few more cities. Tests whose
subject is the demo itself load all of it (the ``demo`` fixture).
"""

# Files, not folders: the demo grows, and the tests must not change with it.
FILES = [
    "cities/cologne.md", "cities/soria.md", "cities/vitoria-gasteiz.md", "cities/aachen.md",
    "cities/barcelona.md", "cities/valencia.md", "cities/malmo.md", "cities/limerick.md", "cities/helsinki.md",
    "aachen/fahrradstrassen.md", "barcelona/superilles.md", "case-studies/proximity-offices-for-renovation.md",
    "cologne/aktionsplan-quartiersbueros.md", "cologne/auftaktbesuch-soria-aachen.md",
    "cologne/gruendaecher-gruen-hoch-3.md", "cologne/proximity-offices.md", "cologne/waermepumpen-mehrfamilienhaus.md",
    "helsinki/helsinki-energy-challenge.md", "limerick/positive-energy-blocks.md",
    "malmo/getting-started-visit-limerick.md", "malmo/grona-tak-augustenborg.md",
    "malmo/twinning-action-plan-climate-resilient-renovation.md", "soria/oficinas-de-proximidad.md",
    "soria/plan-de-accion-oficinas-de-proximidad.md", "soria/rehabilitacion-energetica-casco-historico.md",
    "soria/visita-capitalizacion-2025.md", "valencia/oficinas-de-la-energia.md", "vitoria-gasteiz/anillo-verde.md",
    "vitoria-gasteiz/co-creation-visit-proximity-offices.md", "vitoria-gasteiz/plan-de-accion-barrios-neutros.md",
]  # fmt: skip

COLOGNE_LESSON = "lesson:cologne/proximity-offices"
COLOGNE_LESSON_TITLE = "Proximity offices for building rehabilitation"
COLOGNE_PLAN = "action_plan:cologne/aktionsplan-quartiersbueros"
SORIA_PLAN = "action_plan:soria/plan-de-accion-oficinas-de-proximidad"
SORIA_LESSON = "lesson:soria/oficinas-de-proximidad"


def add_draft_lesson(city, *, title: str, slug: str, language: str = "en", **fields):
    """A draft lesson under ``city`` that satisfies the model's rules (a date and a theme are required)."""
    from datetime import date

    from kb.models import LessonPage, Theme

    lesson = LessonPage(title=title, slug=slug, language=language, date=date(2024, 5, 2), live=False, **fields)
    lesson.themes = [Theme.objects.get(slug="energy")]
    return city.add_child(instance=lesson)
