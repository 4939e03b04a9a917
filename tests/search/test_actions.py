"""An Action Plan's actions as search results of their own, on the database and on the real engine."""

import pytest

from kb.content_files.pages import find_page
from kb.models import CityPage
from plans.models import Action
from search import ranking
from search.conf import search_settings
from search.indexer import drain, verify
from search.models import Embedding, SearchDocument
from search.query import build_request
from search.service import related, search
from tests.network import COLOGNE_PLAN

from .helpers import indexed_ids, sync

pytestmark = pytest.mark.django_db

# Words of nothing but a status update of the Cologne plan's action 3 ("Wärmepumpen-Check"): not in the plan's text.
UPDATE_WORDS = "Rahmenvertrag Akustikbüros"


def actions(query: str = "", **filters) -> list:
    return [hit for hit in search(build_request(query, page_size=50, **filters)).results if hit.type == "action"]


def publish_without(plan, identifier: str) -> None:
    revision = plan.get_latest_revision_as_object()
    revision.actions = [action for action in revision.actions.all() if action.identifier != identifier]
    revision.save_revision().publish()


def test_an_action_is_found_by_its_status_update_with_its_plan_and_city(any_engine, structure):
    plan = find_page(structure, COLOGNE_PLAN)
    action = plan.actions.get(identifier="3")
    (hit,) = [hit for hit in search(build_request(UPDATE_WORDS)).results if not hit.by_meaning]  # by its words
    assert (hit.type, hit.key, hit.id, hit.title) == ("action", f"action-{plan.pk}-3", action.pk, action.title)
    assert hit.url == action.url == f"{plan.url}actions/3/"
    assert hit.plan == {"id": plan.pk, "title": plan.title, "url": plan.url}
    assert hit.city["slug"] == "cologne" and hit.language == "de" and hit.status == "delayed"
    assert [theme["slug"] for theme in hit.themes] == [action.theme.slug]  # its own theme, not the plan's three
    assert hit.date == "2026-09-28"  # its latest status update, later than the plan's date
    assert Embedding.objects.filter(key=SearchDocument.objects.get(key=hit.key).embedding_key).exists()
    # Related content of the plan is other pages' and records', never the plan's own actions.
    hits, _engine = related(plan)
    assert hits and all(not hit.plan or hit.plan["id"] != plan.pk for hit in hits)


def test_the_type_facet_counts_actions_and_filters_them(any_engine):
    published = Action.objects.published().count()
    counts = {value.value: (value.label, value.count) for value in search(build_request("")).facets["type"]}
    assert counts["action"] == ("Actions", published) and counts["lesson"][0] == "Lessons"
    only = search(build_request("", type=["action"], page_size=50))
    assert only.total == published and {hit.type for hit in only.results} == {"action"}


def test_the_api_and_the_search_page_show_an_action_with_its_plan(client, any_engine, structure):
    plan = find_page(structure, COLOGNE_PLAN)
    action = plan.actions.get(identifier="3")
    data = client.get("/api/search", {"q": UPDATE_WORDS, "type": "action"}).json()
    (result,) = [result for result in data["results"] if not result["by_meaning"]]
    assert (result["type"], result["id"], result["status"]) == ("action", action.pk, "delayed")
    assert result["url"] == action.url
    assert result["plan"] == {"id": plan.pk, "title": plan.title, "url": plan.url}
    assert result["city"]["slug"] == "cologne"
    assert "Actions" in [value["label"] for value in data["facets"]["type"]]
    html = client.get("/search/", {"q": UPDATE_WORDS}).content.decode()
    assert f'href="{action.url}"' in html and f'Action · <a href="{plan.url}"' in html


def test_removing_moving_and_unpublishing_reach_the_actions(any_engine, structure):
    plan = find_page(structure, COLOGNE_PLAN)
    publish_without(plan, "3")  # a new revision without the action
    any_engine and sync(any_engine)
    assert f"action-{plan.pk}-3" not in [hit.key for hit in actions(UPDATE_WORDS)]
    assert "Chorweiler" in " ".join(hit.title for hit in actions("Chorweiler Kalk"))  # the others stay
    assert f"action-{plan.pk}-3" not in SearchDocument.objects.values_list("key", flat=True)

    plan.refresh_from_db()
    plan.move(CityPage.objects.get(slug="soria"), pos="last-child")
    any_engine and sync(any_engine)
    moved = [hit for hit in actions("", type=["action"]) if hit.plan["id"] == plan.pk]
    assert len(moved) == 5 and all(h.city["slug"] == "soria" and h.url.startswith("/cities/soria/") for h in moved)

    plan.refresh_from_db()
    plan.unpublish()
    any_engine and sync(any_engine)
    assert not [hit for hit in actions("", type=["action"]) if hit.plan["id"] == plan.pk]
    if any_engine:
        assert not [key for key in indexed_ids(any_engine) if str(key).startswith(f"action-{plan.pk}-")]
    assert verify().clean


@pytest.mark.engine
def test_an_action_removed_before_the_engine_refreshes_leaves_no_document(search_engine, structure):
    """What the engine holds of a plan is read by id (in real time), not searched: a search sees only the
    documents of the last refresh, and here none comes (refreshes are switched off) until the end."""
    alias = search_settings().alias
    search_engine.call("indices.put_settings", index=alias, body={"index": {"refresh_interval": "-1"}})
    plan = find_page(structure, COLOGNE_PLAN)
    revision = plan.get_latest_revision_as_object()
    revision.actions = [*revision.actions.all(), Action(identifier="7", title="Zzquick", status="planned")]
    revision.save_revision().publish()
    assert drain().failed == 0
    publish_without(plan, "7")
    assert drain().failed == 0
    held = indexed_ids(search_engine)  # refreshes
    assert f"action-{plan.pk}-7" not in held and f"action-{plan.pk}-6" in held
    plan.delete()
    assert drain().failed == 0
    assert not [key for key in indexed_ids(search_engine) if str(key).startswith(f"action-{plan.pk}-")]
    assert verify().clean


def test_further_actions_of_one_plan_sink_in_the_first_results():
    # Ranked: plan 1's action, plan 1's second action, a lesson, plan 1's third action, plan 2's action.
    groups, scores = [1, 1, None, 1, 2], [1.0, 0.9, 0.8, 0.7, 0.6]
    assert ranking.diversified(groups, scores) == [0, 2, 4, 1, 3]  # 0.9 → 0.45, 0.7 → 0.175
    assert ranking.diversified([None, None], [1.0, 1.0]) == [0, 1]  # pages keep their order
