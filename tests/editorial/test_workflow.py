"""City editors write under their own city; network editors review, publish and curate — through the admin."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry, PageLogEntry, TaskState, WorkflowState
from wagtail.test.utils.form_data import querydict_from_html

from home.models import HomePage
from kb.content_files.pages import find_city, find_page
from kb.editorial import city_editors
from kb.models import CityPage, LessonPage, Theme
from tests.network import COLOGNE_LESSON, COLOGNE_LESSON_TITLE, SORIA_LESSON, add_draft_lesson

pytestmark = pytest.mark.django_db



def as_user(client, user):
    client.force_login(user)
    return client


def form_of(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return querydict_from_html(response.content.decode(), form_id="page-edit-form")


def add_lesson(client, city: CityPage, action: str, title="Repair cafés in every district"):
    url = reverse("wagtailadmin_pages:add", args=["kb", "lessonpage", city.pk])
    data = form_of(client, url)
    data.update(
        {
            "title": title,
            "slug": "repair-cafes",
            "language": "en",
            "summary": "Residents fix things.",
            "challenge": "Broken things were thrown away.",
            "date": "2024-05-02",
            "themes": str(Theme.objects.get(slug="energy").pk),
            action: "1",
        }
    )
    return client.post(url, data)


def denied(response) -> bool:
    """Wagtail answers a forbidden admin action with 403 or a redirect to the dashboard with a message."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url.startswith("/admin/") and "/edit/" not in response.url
    )


def test_a_city_gets_its_editor_group_when_it_is_created(structure):
    city = find_city(structure, "Cologne")
    new_city = structure.cities.add_child(instance=CityPage(title="Testopolis", slug="testopolis", country="NL"))
    group = city_editors(new_city)
    assert group.name == "City editors: Testopolis (NL)"
    assert group.page_permissions.filter(page=new_city, permission__codename="add_page").exists()
    assert not group.page_permissions.filter(page=city).exists()
    assert not group.page_permissions.filter(permission__codename="publish_page").exists()


def test_cologne_editor_creates_and_submits_a_lesson_that_awaits_review(client, editors, structure):
    cologne = find_city(structure, "Cologne")
    response = add_lesson(as_user(client, editors["cologne"]), cologne, "action-submit")
    assert response.status_code == 302
    lesson = LessonPage.objects.child_of(cologne).get(slug="repair-cafes")
    assert not lesson.live
    state = WorkflowState.objects.get(object_id=str(lesson.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS and state.workflow.name == "Network review"
    # Network editors are told by email.
    assert any("nina-network@example.com" in message.to for message in mail.outbox)


def test_cologne_editor_cannot_publish_directly(client, editors, structure):
    cologne = find_city(structure, "Cologne")
    add_lesson(as_user(client, editors["cologne"]), cologne, "action-publish")
    lesson = LessonPage.objects.child_of(cologne).get(slug="repair-cafes")
    assert not lesson.live
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk])).content.decode()
    assert 'name="action-publish"' not in edit and 'name="action-submit"' in edit


def test_cologne_editor_cannot_touch_soria(client, editors, structure):
    client = as_user(client, editors["cologne"])
    soria = find_city(structure, "Soria")
    lesson = find_page(structure, SORIA_LESSON)
    title = lesson.title

    assert denied(client.get(reverse("wagtailadmin_pages:add", args=["kb", "lessonpage", soria.pk])))
    assert denied(
        client.post(
            reverse("wagtailadmin_pages:add", args=["kb", "lessonpage", soria.pk]),
            {"title": "Intruder", "slug": "intruder", "language": "en"},
        )
    )
    assert denied(client.get(reverse("wagtailadmin_pages:edit", args=[lesson.pk])))
    assert denied(
        client.post(
            reverse("wagtailadmin_pages:edit", args=[lesson.pk]),
            {"title": "Defaced", "slug": lesson.slug, "action-publish": "1"},
        )
    )
    assert denied(client.post(reverse("wagtailadmin_pages:unpublish", args=[lesson.pk])))
    assert denied(client.post(reverse("wagtailadmin_pages:delete", args=[lesson.pk])))
    assert denied(client.get(reverse("wagtailadmin_pages:move", args=[lesson.pk])))
    cologne = find_city(structure, "Cologne")
    assert denied(client.post(reverse("wagtailadmin_pages:move_confirm", args=[lesson.pk, cologne.pk])))

    lesson.refresh_from_db()
    assert (lesson.title, lesson.live, lesson.get_parent().pk) == (title, True, soria.pk)
    assert not LessonPage.objects.filter(slug="intruder").exists()


def test_the_page_chooser_hides_other_cities_drafts_from_a_city_editor(client, editors, structure):
    soria, cologne = find_city(structure, "Soria"), find_city(structure, "Cologne")
    soria_draft = add_draft_lesson(soria, title="Soria draft zqx", slug="zqx", language="es")
    cologne_draft = add_draft_lesson(cologne, title="Cologne draft zqy", slug="zqy", language="de")

    def chooser_titles(user, url, **params) -> str:
        return as_user(client, user).get(url, params).content.decode()

    search = reverse("wagtailadmin_choose_page_search")
    browse_soria = reverse("wagtailadmin_choose_page_child", args=[soria.pk])
    browse_cities = reverse("wagtailadmin_choose_page_child", args=[soria.get_parent().pk])
    as_cologne = chooser_titles(editors["cologne"], search, q="draft")
    as_cologne += chooser_titles(editors["cologne"], browse_soria)
    assert "Soria draft zqx" not in as_cologne
    assert "Cologne draft zqy" in chooser_titles(editors["cologne"], search, q="draft")
    assert soria.title in chooser_titles(editors["cologne"], browse_cities)
    as_network = chooser_titles(editors["network"], search, q="draft")
    assert "Soria draft zqx" in as_network and "Cologne draft zqy" in as_network
    assert soria_draft.pk and cologne_draft.pk


def test_network_editor_approves_and_the_page_goes_live(client, editors, structure):
    cologne = find_city(structure, "Cologne")
    add_lesson(as_user(client, editors["cologne"]), cologne, "action-submit")
    lesson = LessonPage.objects.child_of(cologne).get(slug="repair-cafes")
    task_state = TaskState.objects.get(workflow_state__object_id=str(lesson.pk), status="in_progress")

    client = as_user(client, editors["network"])
    url = reverse("wagtailadmin_pages:workflow_action", args=[lesson.pk, "approve", task_state.pk])
    response = client.post(url, {"comment": "Clear and useful."})
    assert response.status_code == 302

    lesson.refresh_from_db()
    assert lesson.live and lesson.title == "Repair cafés in every district"
    assert client.get(lesson.url).status_code == 200


def test_request_changes_returns_the_page_to_its_author_with_the_comment(client, editors, structure):
    cologne = find_city(structure, "Cologne")
    add_lesson(as_user(client, editors["cologne"]), cologne, "action-submit")
    lesson = LessonPage.objects.child_of(cologne).get(slug="repair-cafes")
    task_state = TaskState.objects.get(workflow_state__object_id=str(lesson.pk), status="in_progress")
    mail.outbox.clear()

    as_user(client, editors["network"]).post(
        reverse("wagtailadmin_pages:workflow_action", args=[lesson.pk, "reject", task_state.pk]),
        {"comment": "Please add the costs."},
    )

    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_REJECTED
    assert task_state.comment == "Please add the costs."
    lesson.refresh_from_db()
    assert not lesson.live
    assert WorkflowState.objects.get(object_id=str(lesson.pk)).status == WorkflowState.STATUS_NEEDS_CHANGES
    assert any("carl-cologne@example.com" in message.to for message in mail.outbox)  # the author is told
    edit = as_user(client, editors["cologne"]).get(reverse("wagtailadmin_pages:edit", args=[lesson.pk]))
    assert "Changes requested" in edit.content.decode() or "Needs changes" in edit.content.decode()


def test_only_curators_see_the_editors_pick_field(client, editors, structure):
    lesson = find_page(structure, COLOGNE_LESSON)
    url = reverse("wagtailadmin_pages:edit", args=[lesson.pk])
    assert 'name="editors_pick"' not in as_user(client, editors["cologne"]).get(url).content.decode()
    assert 'name="editors_pick"' in as_user(client, editors["network"]).get(url).content.decode()


def test_review_report_lists_overdue_content_by_city(client, editors, structure):
    lesson = find_page(structure, COLOGNE_LESSON)
    LessonPage.objects.filter(pk=lesson.pk).update(review_by=timezone.localdate() - timedelta(days=3))
    html = as_user(client, editors["network"]).get(reverse("kb_review_due")).content.decode()
    assert COLOGNE_LESSON_TITLE in html and "overdue" in html
    # A Soria editor only sees Soria's content.
    html = as_user(client, editors["soria"]).get(reverse("kb_review_due")).content.decode()
    assert COLOGNE_LESSON_TITLE not in html


def test_readers_see_when_overdue_content_was_last_reviewed(client, structure):
    lesson = find_page(structure, COLOGNE_LESSON)
    LessonPage.objects.filter(pk=lesson.pk).update(
        review_by=timezone.localdate() - timedelta(days=3), last_reviewed=timezone.localdate() - timedelta(days=400)
    )
    html = client.get(lesson.url).content.decode()
    assert "Last reviewed on" in html


def test_review_date_defaults_to_a_year_after_publishing(structure):
    lesson = find_page(structure, COLOGNE_LESSON)
    assert lesson.review_by == (lesson.last_published_at + timedelta(days=365)).date()


def test_action_plans_report(client, editors):
    html = as_user(client, editors["network"]).get(reverse("kb_action_plans_report")).content.decode()
    assert "Aktionsplan Quartiersbüros" in html and "Adopted" in html


def test_featured_items_keep_the_editors_order_on_the_home_page(client, editors, structure):
    home = HomePage.objects.get()
    first, second = find_page(structure, SORIA_LESSON), find_page(structure, COLOGNE_LESSON)
    url = reverse("wagtailadmin_pages:edit", args=[home.pk])
    data = form_of(as_user(client, editors["network"]), url)
    count = int(data["featured_items-TOTAL_FORMS"])
    for number in range(count):
        data[f"featured_items-{number}-DELETE"] = "1"
    for offset, page in enumerate([first, second]):
        number = count + offset
        data.update(
            {
                f"featured_items-{number}-page": str(page.pk),
                f"featured_items-{number}-ORDER": str(offset + 1),
                f"featured_items-{number}-id": "",
            }
        )
    data["featured_items-TOTAL_FORMS"] = str(count + 2)
    data["action-publish"] = "1"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    html = client.get("/").content.decode()
    featured = html.split('id="featured-heading"')[1].split("</section>")[0]
    assert featured.index(first.title) < featured.index(second.title)


def test_changes_to_snippets_and_pages_are_audited(client, editors, structure):
    theme = Theme.objects.get(slug="energy")
    url = reverse("wagtailsnippets_kb_theme:edit", args=[theme.pk])
    client = as_user(client, editors["network"])
    data = {"name": "Energy systems", "slug": "energy", "description": theme.description}
    assert client.post(url, data).status_code == 302
    entry = ModelLogEntry.objects.filter(object_id=str(theme.pk), action="wagtail.edit").latest("timestamp")
    assert entry.user == editors["network"]
    assert PageLogEntry.objects.filter(page=find_page(structure, COLOGNE_LESSON), action="wagtail.publish").exists()
