"""Editing a plan's actions, their status updates and its indicators in the page's own admin form."""

import pytest
from django.urls import reverse

from kb.content_files.pages import find_page
from tests.editorial.test_workflow import as_user, form_of
from tests.network import COLOGNE_PLAN

pytestmark = pytest.mark.django_db


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def prefix_of(data, field: str, value: str) -> str:
    """The form prefix (``actions-2``) of the inline row whose ``field`` holds ``value``."""
    return next(key.rsplit("-", 1)[0] for key, found in data.items() if key.endswith(f"-{field}") and found == value)


def test_an_editor_changes_an_action_and_adds_a_status_update_in_one_publish(client, editors, structure):
    plan = find_page(structure, COLOGNE_PLAN)
    updates_before = {action.identifier: action.updates.count() for action in plan.actions.all()}
    data = form_of(as_user(client, editors["network"]), edit_url(plan))
    row = prefix_of(data, "identifier", "3")
    data[f"{row}-status_reason"] = "Framework contract signed with two acoustics firms."
    new = int(data[f"{row}-updates-TOTAL_FORMS"])
    data[f"{row}-updates-TOTAL_FORMS"] = str(new + 1)
    data.update(
        {
            f"{row}-updates-{new}-date": "2026-11-20",
            f"{row}-updates-{new}-author": "Amt für Umwelt",
            f"{row}-updates-{new}-status": "in_progress",
            f"{row}-updates-{new}-text": "Checks resume with the new contractors.",
            f"{row}-updates-{new}-ORDER": str(new + 1),
            "action-publish": "1",
        }
    )
    response = client.post(edit_url(plan), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    plan.refresh_from_db()
    action = plan.actions.get(identifier="3")
    assert action.status_reason.startswith("Framework contract")
    assert action.updates.count() == updates_before["3"] + 1
    assert {a.identifier: a.updates.count() for a in plan.actions.all() if a.identifier != "3"} == {
        key: count for key, count in updates_before.items() if key != "3"
    }
    assert plan.latest_revision.user == editors["network"]
    assert "Checks resume" in str(plan.latest_revision.content)  # the history is in the page's revisions


def test_a_city_editor_drafts_without_changing_the_live_plan(client, editors, structure):
    plan = find_page(structure, COLOGNE_PLAN)
    data = form_of(as_user(client, editors["cologne"]), edit_url(plan))
    row = prefix_of(data, "identifier", "1")
    data[f"{row}-title"] = "A title not yet reviewed"
    assert client.post(edit_url(plan), data).status_code == 302
    assert not plan.actions.filter(title="A title not yet reviewed").exists()
    plan.refresh_from_db()
    draft = plan.get_latest_revision_as_object()
    assert [a.title for a in draft.actions.all() if a.identifier == "1"] == ["A title not yet reviewed"]


def test_another_city_cannot_open_the_plan(client, editors, structure):
    plan = find_page(structure, COLOGNE_PLAN)
    response = as_user(client, editors["soria"]).get(edit_url(plan))
    assert response.status_code in (302, 403)


def test_an_action_cannot_name_an_indicator_the_plan_lacks(client, editors, structure):
    plan = find_page(structure, COLOGNE_PLAN)
    revisions = plan.revisions.count()
    data = form_of(as_user(client, editors["network"]), edit_url(plan))
    row = prefix_of(data, "identifier", "2")
    data[f"{row}-indicator_ids"] = "sanierte-wohneinheiten, no-such-indicator"
    response = client.post(edit_url(plan), data)
    assert response.status_code == 200
    assert "No indicator of this plan has the identifier no-such-indicator" in response.content.decode()
    assert plan.revisions.count() == revisions
