import filecmp
import io

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page, Revision

from kb.content_files.exporter import document_for, export_all, latest_content
from kb.content_files.importer import import_paths
from kb.content_files.pages import find_page
from kb.models import CityPage, LessonPage

from .content_files import LESSON, write

pytestmark = pytest.mark.django_db


def lesson_page(structure):
    return find_page(structure, "lesson:testville/tool-libraries")


def test_import_creates_a_draft_lesson_with_sections_and_new_cities(tmp_path, structure):
    report = import_paths([write(tmp_path, "lesson.md", LESSON)])

    assert report.errors == []
    page = lesson_page(structure)
    assert page.live is False
    draft = latest_content(page)
    assert draft.title == "Tool libraries for residents"
    assert draft.body == "A short introduction."
    assert draft.challenge == "Households buy drills they use for 13 minutes."
    assert draft.what_did_not_work == "Opening hours during office time only."
    assert "| 2023 | 1200  |" in draft.results
    assert sorted(t.slug for t in draft.themes.all()) == [
        "citizen-engagement-and-social-innovation",
        "waste-and-circular-economy",
    ]
    city = CityPage.objects.get(slug="testville")
    assert (city.title, city.country.code) == ("Testville", "NL")
    assert page.get_parent().specific == city
    assert [c.label for c in draft.partner_cities.all()] == ["Sampleburg (DE)"]


def test_publish_makes_the_page_live(tmp_path, structure):
    import_paths([write(tmp_path, "lesson.md", LESSON)], publish=True)

    page = lesson_page(structure)
    assert page.live and page.challenge.startswith("Households")
    assert CityPage.objects.get(slug="testville").live


def test_reimport_updates_the_same_page_and_unchanged_files_write_nothing(tmp_path, structure):
    path = write(tmp_path, "lesson.md", LESSON)
    import_paths([path], publish=True)
    pages, revisions = Page.objects.count(), Revision.objects.count()

    again = import_paths([path], publish=True)
    assert [outcome for _doc, outcome in again.outcomes] == ["unchanged"]
    assert (Page.objects.count(), Revision.objects.count()) == (pages, revisions)

    path.write_text(path.read_text().replace("Tool libraries for residents", "Tool libraries"))
    changed = import_paths([path], publish=True)
    assert [outcome for _doc, outcome in changed.outcomes] == ["updated"]
    assert Page.objects.count() == pages
    assert lesson_page(structure).title == "Tool libraries"


def test_draft_import_does_not_change_the_live_version(tmp_path, structure):
    path = write(tmp_path, "lesson.md", LESSON)
    import_paths([path], publish=True)
    path.write_text(path.read_text().replace("Opened a tool library", "Opened two tool libraries"))

    import_paths([path])

    page = lesson_page(structure)
    assert page.what_we_did.startswith("Opened a tool library")
    assert latest_content(page).what_we_did.startswith("Opened two tool libraries")
    assert page.has_unpublished_changes


def test_dry_run_writes_nothing(tmp_path, structure):
    pages = Page.objects.count()
    report = import_paths([write(tmp_path, "lesson.md", LESSON)], dry_run=True)
    assert report.errors == [] and len(report.outcomes) == 1
    assert Page.objects.count() == pages


BAD_FILES = {
    "bad-yaml.md": ("---\ntype: lesson\ntitle: [unclosed\n---\nbody", None, "invalid YAML front matter at line"),
    "no-title.md": ("---\ntype: lesson\nlanguage: en\ncity: Testville\ncountry: NL\n---\n", "title", "is required"),
    "unknown-type.md": ("---\ntype: recipe\ntitle: Soup\n---\n", "type", "'recipe' is not one of"),
    "bad-date.md": (LESSON.replace("date: 2024-05-02", "date: 2024-13-45"), "date", "not a valid date"),
    "bad-country.md": (LESSON.replace("country: NL", "country: XX"), "country", "not an ISO 3166-1"),
    "bad-theme.md": (LESSON.replace("Waste and circular economy", "Space travel"), "themes", "unknown theme"),
    "bad-language.md": (LESSON.replace("language: en", "language: klingon"), "language", "ISO 639-1"),
    "bad-reference.md": (
        LESSON.replace("cost_effort:", "source: visit_report:testville/nowhere\ncost_effort:"),
        "source",
        "names no page",
    ),
    "no-front-matter.md": ("Just text", None, "no YAML front matter"),
    "typo-field.md": (LESSON.replace("summary:", "sumary:"), "sumary", "unknown field"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_bad_file_gets_one_clear_error_and_nothing_is_written(tmp_path, structure, name):
    text, field, message = BAD_FILES[name]
    text = text.replace("slug: tool-libraries", f"slug: {name[:-3]}")
    good = write(tmp_path, "good.md", LESSON)
    bad = write(tmp_path, name, text)
    pages = Page.objects.count()

    report = import_paths([good, bad], publish=True)

    assert len(report.errors) == 1
    error = report.errors[0]
    assert error.path == bad and error.field_name == field and message in error.message
    assert str(bad) in str(error)
    assert [doc.path for doc, _outcome in report.outcomes] == [good]
    assert not LessonPage.objects.filter(slug=name[:-3]).exists()
    assert Page.objects.count() in (pages + 3, pages + 2)  # good lesson + its city (+ partner city)


def test_command_exits_non_zero_and_names_the_file(tmp_path, structure):
    bad = write(tmp_path, "bad.md", LESSON.replace("date: 2024-05-02", "date: soon"))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_markdown", str(tmp_path), stdout=io.StringIO(), stderr=err)
    assert f"{bad}: field 'date': 'soon' is not a valid date" in err.getvalue()


def test_a_model_level_error_leaves_the_file_out_entirely(tmp_path, structure):
    city = """
    ---
    type: city
    title: Testville
    language: nl
    country: NL
    latitude: 123.45
    ---
    """
    bad = write(tmp_path, "cities/testville.md", city)
    report = import_paths([bad, write(tmp_path, "lesson.md", LESSON)])
    assert [(e.path, e.field_name) for e in report.errors] == [(bad, "latitude")]
    assert CityPage.objects.get(slug="testville").latitude is None  # created as a stub by the lesson instead


def test_reference_to_a_page_in_the_same_batch_resolves(tmp_path, structure):
    report_file = """
    ---
    type: visit_report
    title: Study visit
    slug: study-visit
    language: en
    city: Testville
    country: NL
    host_city: Testville (NL)
    visiting_cities: ["Sampleburg (DE)"]
    start_date: 2024-04-01
    end_date: 2024-04-03
    module: getting_started
    participants: 12
    outputs: ["lesson:testville/tool-libraries"]
    ---
    ## Agenda

    Day one.

    ## Findings

    Libraries work.
    """
    lesson = LESSON.replace("cost_effort:", "source: visit_report:testville/study-visit\ncost_effort:")
    report = import_paths([write(tmp_path, "a.md", lesson), write(tmp_path, "b.md", report_file)], publish=True)

    assert report.errors == []
    visit = find_page(structure, "visit_report:testville/study-visit")
    lesson_ = lesson_page(structure)
    assert lesson_.source.specific == visit
    assert [o.target.specific for o in visit.outputs.all()] == [lesson_]
    assert (visit.agenda, visit.findings) == ("Day one.", "Libraries work.")


def test_export_then_import_is_lossless(tmp_path, structure):
    first, second = tmp_path / "first", tmp_path / "second"
    export_all(first)
    before = {page.pk: document_for(latest_content(page.specific)) for page in Page.objects.filter(depth__gt=3)}

    report = import_paths([first])
    assert report.errors == []
    assert {outcome for _doc, outcome in report.outcomes} == {"unchanged"}
    after = {page.pk: document_for(latest_content(page.specific)) for page in Page.objects.filter(depth__gt=3)}
    assert after == before

    export_all(second)
    comparison = filecmp.dircmp(first, second)
    assert _all_same(comparison)


def _all_same(comparison) -> bool:
    if comparison.left_only or comparison.right_only or comparison.diff_files:
        return False
    return all(_all_same(sub) for sub in comparison.subdirs.values())


def test_export_writes_the_demo_story(tmp_path, structure):
    export_all(tmp_path)
    plan = next((tmp_path / "cologne").glob("*.md"))
    assert plan.read_text().startswith("---\ntype: ")
    assert (tmp_path / "cities" / "cologne.md").exists()
    assert list((tmp_path / "case-studies").glob("*.md"))


def test_load_demo_twice_gives_the_same_content(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    export_all(first)
    pages, revisions = Page.objects.count(), Revision.objects.count()

    call_command("load_demo", stdout=io.StringIO())

    export_all(second)
    assert (Page.objects.count(), Revision.objects.count()) == (pages, revisions)
    assert _all_same(filecmp.dircmp(first, second))
