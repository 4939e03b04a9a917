import os
import re
import subprocess
import sys

import pytest
from wagtail.models import Page

from home.models import HomePage
from kb.content_files.pages import find_page
from kb.models import (
    ActionPlanPage,
    CaseStudyIndexPage,
    CaseStudyPage,
    CityIndexPage,
    CityPage,
    LessonPage,
    ListingPage,
    VisitReportPage,
)
from tests.network import COLOGNE_LESSON, COLOGNE_LESSON_TITLE

pytestmark = pytest.mark.django_db

PLAN = "action_plan:cologne/aktionsplan-quartiersbueros"
VISIT = "visit_report:vitoria-gasteiz/co-creation-visit-proximity-offices"
CASE_STUDY = "case_study:case-studies/proximity-offices-for-renovation"


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_home_shows_intro_figures_featured_and_latest(client, structure):
    html = get(client, "/")
    assert "Pilot Cities and their Twin Cities" in html
    assert f"<dd>{CityPage.objects.live().count()}</dd>" in html
    assert COLOGNE_LESSON_TITLE in html  # featured by load_demo
    assert 'type="search" name="q"' in html


def test_city_page_shows_profile_partners_and_everything_it_published(client, structure):
    html = get(client, "/cities/cologne/")
    assert "Germany" in html and "Pilot City" in html and "2030" in html
    assert ">Soria</a>" in html  # twinning partner
    cologne = CityPage.objects.get(slug="cologne")
    for child in Page.objects.child_of(cologne).live():
        assert child.title in html.replace("&#x27;", "'")


def test_twin_city_sees_its_pilot_as_partner(structure):
    soria = CityPage.objects.get(slug="soria")
    assert "Cologne" in [city.title for city in soria.twinning_partners()]


def test_action_plan_page_shows_actions_indicators_and_rollups(client, structure):
    plan = find_page(structure, PLAN)
    html = get(client, plan.url)
    for action in plan.actions.all():
        assert action.title in html and f'href="{action.url}"' in html
    assert "<progress" in html
    assert f"€{round(plan.total_budget()):,}" in html
    assert 'lang="de"' in html


def test_every_action_has_its_own_page_with_its_history(client, structure):
    plan = find_page(structure, PLAN)
    action = plan.actions.get(identifier="3")
    html = get(client, action.url)
    assert action.title in html and plan.title in html
    assert all(update.text in html for update in action.updates.all())
    assert "Late" in html  # the demo's delayed heat-pump check
    assert client.get(f"{plan.url}actions/no-such-action/").status_code == 404


def test_a_lesson_links_to_the_actions_it_informed(client, structure):
    plan = find_page(structure, PLAN)
    action = plan.actions.get(identifier="1")
    lesson = action.lessons.get()
    assert action.url in get(client, lesson.url)


def test_visit_report_page_shows_visit_and_outputs(client, structure):
    visit = find_page(structure, VISIT)
    html = get(client, visit.url)
    assert "Co-creating" in html and "Agenda" in html and "Findings" in html
    assert ">Soria</a>" in html
    assert COLOGNE_LESSON_TITLE in html  # an output


def test_lesson_page_shows_every_section_and_source(client, structure):
    lesson = find_page(structure, COLOGNE_LESSON)
    html = get(client, lesson.url)
    for heading in ("Challenge", "What we did", "Results", "What did not work", "Transferability"):
        assert f"<h2>{heading}</h2>" in html
    assert 'class="lesson-section did-not-work"' in html
    assert lesson.source.title in html.replace("&#x27;", "'")
    assert 'lang="en"' in html


def test_case_study_page_lists_items_with_editor_notes(client, structure):
    case_study = find_page(structure, CASE_STUDY)
    html = get(client, case_study.url)
    assert html.count("Editor&#x27;s note") + html.count("Editor's note") >= case_study.items.count()
    for item in case_study.items.all():
        assert item.target.title.replace("'", "&#x27;") in html


@pytest.mark.parametrize(
    "url, model", [("/lessons/", LessonPage), ("/action-plans/", ActionPlanPage), ("/visit-reports/", VisitReportPage)]
)
def test_listing_pages_list_everything_of_their_type(client, structure, url, model):
    pages = -(-model.objects.live().count() // ListingPage.PAGE_SIZE)
    html = "".join(get(client, f"{url}?page={number}") for number in range(1, pages + 1))
    for page in model.objects.live():
        assert page.title.replace("'", "&#x27;") in html


def test_listing_filters_by_theme(client, structure):
    html = get(client, "/lessons/?theme=mobility-and-transport&country=DE")
    assert "Fahrradstra" in html
    assert "Superilles" not in html  # mobility, but in Spain
    assert COLOGNE_LESSON_TITLE not in html  # Germany, but not mobility
    assert "Superilles" in get(client, "/lessons/?theme=mobility-and-transport&language=es")


def test_indexes_and_search_render(client, structure):
    assert "Cologne" in get(client, "/cities/")
    assert "proximity offices for building renovation" in get(client, "/case-studies/")
    assert COLOGNE_LESSON_TITLE in get(client, "/search/?q=proximity")
    assert client.get("/no-such-page/").status_code == 404


def test_drafts_are_not_served(client, structure):
    lesson = find_page(structure, COLOGNE_LESSON)
    lesson.unpublish()
    assert client.get("/cities/cologne/proximity-offices/").status_code == 404


@pytest.mark.parametrize(
    "model, parent_model, allowed",
    [
        (CityPage, CityIndexPage, True),
        (CityPage, HomePage, False),
        (LessonPage, CityPage, True),
        (LessonPage, HomePage, False),
        (LessonPage, LessonPage, False),
        (ActionPlanPage, CityPage, True),
        (ActionPlanPage, CaseStudyIndexPage, False),
        (VisitReportPage, CityPage, True),
        (CaseStudyPage, CaseStudyIndexPage, True),
        (CaseStudyPage, CityPage, False),
        (CityIndexPage, HomePage, True),
        (ListingPage, CityPage, False),
    ],
)
def test_parent_and_child_rules(model, parent_model, allowed):
    assert (model in parent_model.allowed_subpage_models()) is allowed
    assert (parent_model in model.allowed_parent_page_models()) is allowed


def test_singleton_indexes_cannot_be_created_twice(structure):
    assert not CityIndexPage.can_create_at(structure.home)
    assert not CaseStudyIndexPage.can_create_at(structure.home)


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_a_view_restricted_city_is_no_twinning_partner_to_readers(client, structure):
    from wagtail.models import PageViewRestriction

    cologne, soria = (CityPage.objects.get(slug=slug) for slug in ("cologne", "soria"))
    partners = re.compile(r'<section aria-labelledby="partners-heading">.*?</section>', re.S)
    assert "Soria" in partners.search(get(client, cologne.url)).group(0)
    PageViewRestriction.objects.create(page=soria, restriction_type="password", password="secret")
    section = partners.search(get(client, cologne.url))
    assert section is None or "Soria" not in section.group(0)
