"""Adoption records: written on the adopting lesson or action, shown on the source, the adopter and both cities."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.content_files.importer import import_paths
from kb.content_files.pages import find_city, find_page
from lineage.models import ActionAdoption
from lineage.transfers import reuse_summary, transfers
from tests.content.test_import_export import write
from tests.editorial.test_workflow import as_user, form_of
from tests.network import COLOGNE_LESSON, COLOGNE_PLAN, SORIA_PLAN, add_draft_lesson
from tests.plans.test_admin import edit_url, prefix_of

pytestmark = pytest.mark.django_db

VISIT = "visit_report:vitoria-gasteiz/co-creation-visit-proximity-offices"


def test_the_visit_lists_what_it_led_to_with_outcomes(client, structure):
    visit = find_page(structure, VISIT)
    found = transfers(visit)
    assert [(t.adopter_city.slug, t.adopter.title, t.outcome) for t in found] == [
        ("cologne", "Pilot-Quartiersbüro in Köln-Mülheim eröffnen", "worked"),
        ("soria", "Oficina de proximidad en el casco histórico", "partly"),
    ]
    assert reuse_summary(found) == "Reused by 2 cities: worked in 1, partly in 1"
    html = client.get(visit.url).content.decode()
    assert "What this visit led to" in html and f'href="{found[0].adopter.url}"' in html
    assert "462 beratene Haushalte" in html and 'lang="de"' in html
    assert found[0].outcome_indicator == "Beratene Haushalte" and "shown by" in html
    client.cookies["django_language"] = "de"
    german = client.get(visit.url).content.decode()
    assert (
        "Was aus diesem Besuch wurde" in german
        and "Von 2 Städten übernommen: funktioniert in 1, teilweise in 1" in german
    )


def test_the_action_shows_what_it_was_adapted_from_and_the_city_pages_both_ends(client, structure):
    plan = find_page(structure, SORIA_PLAN)
    action = plan.actions.get(identifier="1")
    html = client.get(action.url).content.decode()
    assert "Adapted from" in html and "Oficinas de la Energía" in html and "Co-creation visit" in html
    soria = client.get(find_city(structure, "Soria").url).content.decode()
    assert "Learned from other cities" in soria and "Valencia" in soria
    vitoria = client.get(find_city(structure, "Vitoria-Gasteiz").url).content.decode()
    assert "What other cities learned from it" in vitoria and action.title in vitoria


def test_an_action_can_be_the_source_and_is_shown_there(client, structure, tmp_path):
    cologne_action = find_page(structure, COLOGNE_PLAN).actions.get(identifier="1")
    lesson = write(
        tmp_path,
        "lodz.md",
        "---\ntype: lesson\ntitle: Neighbourhood points\nlanguage: pl\ncity: Łódź\ncountry: PL\ndate: 2026-01-01\n"
        "themes: [Energy]\nsummary: Points.\nadapted_from:\n"
        f"  - from: '{COLOGNE_PLAN}#1'\n    outcome: worked\n    changes: Three small points.\n---\nText\n",
    )
    report = import_paths([lesson], publish=True)
    assert not report.errors, report.errors
    (transfer,) = transfers(cologne_action)
    assert transfer.adopter_city.slug == "lodz" and transfer.source_city.slug == "cologne"
    html = client.get(cologne_action.url).content.decode()
    assert "Reused by 1 city: worked in 1" in html and "Neighbourhood points" in html


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (f"{COLOGNE_PLAN}#99", "no action with this identifier"),
        (f"{COLOGNE_LESSON}#1", "only an action plan has actions"),
        ("city:cologne/cologne", "is not a reference like 'lesson:city-slug/page-slug'"),
        ("lesson:cologne/no-such-lesson", "names no page"),
    ],
)
def test_a_bad_source_is_refused_with_file_and_field(tmp_path, structure, source, message):
    text = (
        "---\ntype: lesson\ntitle: Borrowed\nlanguage: en\ncity: Soria\ncountry: ES\ndate: 2026-01-01\n"
        f"themes: [Energy]\nsummary: S.\nadapted_from:\n  - from: '{source}'\n---\nText\n"
    )
    bad = write(tmp_path, "borrowed.md", text)
    report = import_paths([bad], publish=True)
    (error,) = report.errors
    assert error.path == bad and error.field_name == "adapted_from" and message in error.message, error.message


def test_a_source_taken_down_hides_the_record_without_losing_it(client, structure):
    visit = find_page(structure, VISIT)
    action = find_page(structure, COLOGNE_PLAN).actions.get(identifier="1")
    visit.unpublish()
    assert not transfers(adopter=action)
    assert "Adapted from" not in client.get(action.url).content.decode()
    assert ActionAdoption.objects.filter(action=action, source_page=visit).exists()


def test_a_city_editor_records_adoptions_for_its_own_city_only(client, editors, structure):
    plan = find_page(structure, SORIA_PLAN)
    assert as_user(client, editors["cologne"]).get(edit_url(plan)).status_code in (302, 403)
    data = form_of(as_user(client, editors["soria"]), edit_url(plan))
    row = prefix_of(data, "identifier", "3")
    count = int(data[f"{row}-adaptations-TOTAL_FORMS"])
    data[f"{row}-adaptations-TOTAL_FORMS"] = str(count + 1)
    cologne_plan = find_page(structure, COLOGNE_PLAN)
    new = f"{row}-adaptations-{count}"
    data.update({f"{new}-source_page": str(cologne_plan.pk), f"{new}-source_action": "5", f"{new}-ORDER": "1"})
    data[f"{new}-changes"] = "Training for heritage buildings."
    response = client.post(edit_url(plan), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    plan.refresh_from_db()
    (action,) = [action for action in plan.latest_revision.content["actions"] if action["identifier"] == "3"]
    (adoption,) = action["adaptations"]
    assert (adoption["source_page"], adoption["source_action"]) == (cologne_plan.pk, "5")
    assert plan.latest_revision.user == editors["soria"]


def test_the_admin_refuses_an_unpublished_source(client, editors, structure):
    plan = find_page(structure, SORIA_PLAN)
    draft = add_draft_lesson(find_city(structure, "Cologne"), title="Not yet out", slug="not-yet-out")
    data = form_of(as_user(client, editors["network"]), edit_url(plan))
    row = prefix_of(data, "identifier", "3")
    count = int(data[f"{row}-adaptations-TOTAL_FORMS"])
    data[f"{row}-adaptations-TOTAL_FORMS"] = str(count + 1)
    data.update({f"{row}-adaptations-{count}-source_page": str(draft.pk), f"{row}-adaptations-{count}-ORDER": "1"})
    revisions = plan.revisions.count()
    response = client.post(edit_url(plan), data)
    assert response.status_code == 200 and "Choose a published page" in response.content.decode()
    assert plan.revisions.count() == revisions


def test_lists_take_a_fixed_number_of_queries(structure):
    vitoria = find_city(structure, "Vitoria-Gasteiz")
    with CaptureQueriesContext(connection) as captured:
        found = transfers(source_city=vitoria)
        [(t.source.url, t.adopter.url, t.adopter_city.title) for t in found]
    assert len(found) == 2 and len(captured) <= 12, [q["sql"][:120] for q in captured]


def test_the_api_lists_transfers_by_city_and_outcome(client, structure):
    data = client.get("/api/transfers", {"city": "vitoria-gasteiz"}).json()
    assert data["total"] == 2
    cologne = next(item for item in data["results"] if item["adopter"]["city"]["slug"] == "cologne")
    assert cologne["source"]["type"] == "visit_report" and cologne["source"]["city"]["slug"] == "vitoria-gasteiz"
    assert cologne["adopter"]["type"] == "action" and cologne["adopter"]["plan"].startswith("Aktionsplan")
    assert cologne["adopter"]["url"].startswith("http://testserver/cities/cologne/")
    assert (cologne["outcome"], cologne["outcome_date"], cologne["language"]) == ("worked", "2025-04-30", "de")
    worked = client.get("/api/transfers", {"outcome": "worked"}).json()
    assert {item["outcome"] for item in worked["results"]} == {"worked"}
    assert client.get("/api/transfers", {"city": "atlantis"}).status_code == 400
    assert client.get("/api/transfers", {"outcome": "maybe"}).json()["parameter"] == "outcome"
    assert "/api/transfers" in client.get("/api/openapi.json").json()["paths"]


def test_the_transfer_map_draws_each_transfer_and_lists_it_in_the_table(client, structure):
    html = client.get("/transfers/").content.decode()
    assert html.count('class="transfer-arrow') == 3 and html.count('<tr id="transfer-') == 3  # Cologne 1, Soria 2
    assert 'data-from="vitoria-gasteiz" data-to="cologne"' in html and "outcome-line-worked" in html
    assert "Skip the map" in html and 'href="/api/transfers"' in html
    themed = client.get("/transfers/", {"theme": "citizen-engagement-and-social-innovation"}).content.decode()
    assert themed.count('<tr id="transfer-') == 3
    assert client.get("/transfers/", {"theme": "energy"}).content.decode().count('<tr id="transfer-') == 0
    none = client.get("/transfers/", {"theme": "x" * 500, "cohort": "zz"})
    assert none.status_code == 200 and "No transfer matches these filters yet." in none.content.decode()
