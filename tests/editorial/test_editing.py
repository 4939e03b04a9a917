"""The admin as editors use it: the footer's main action, required classification, language, Markdown help and
preview, labels, the review's comments and messages, the reports index and where the page chooser opens."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from wagtail.models import TaskState

from kb.content_files.importer import import_paths
from kb.content_files.pages import find_city, find_page
from kb.models import LessonPage, Theme
from tests.content.files import LESSON, write
from tests.editorial.test_workflow import add_lesson, as_user, form_of
from tests.network import COLOGNE_LESSON

pytestmark = pytest.mark.django_db


def add_url(city) -> str:
    return reverse("wagtailadmin_pages:add", args=["kb", "lessonpage", city.pk])


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


def footer_buttons(html: str) -> tuple[str, str]:
    """The footer's main button and the rest of its menu, as HTML."""
    footer = html.split('aria-label="Actions (footer)"')[1].split("</nav>")[0]
    main, menu = footer.split('data-controller="w-dropdown"', 1) if "w-dropdown__content" in footer else (footer, "")
    return main, menu


def submitted_lesson(client, editors, structure) -> LessonPage:
    cologne = find_city(structure, "Cologne")
    assert add_lesson(as_user(client, editors["cologne"]), cologne, "action-submit").status_code == 302
    return LessonPage.objects.child_of(cologne).get(slug="repair-cafes")


# 1. The footer's main action.


def test_a_city_editor_submits_for_review_with_the_main_button(client, editors, structure):
    cologne = find_city(structure, "Cologne")
    main, menu = footer_buttons(as_user(client, editors["cologne"]).get(add_url(cologne)).content.decode())
    assert 'name="action-submit"' in main and "Submit to Network review" in main
    assert "Save draft" in menu

    draft = add_lesson(client, cologne, "action-save-draft")
    assert draft.status_code == 302
    lesson = LessonPage.objects.child_of(cologne).get(slug="repair-cafes")
    main, _menu = footer_buttons(client.get(edit_url(lesson)).content.decode())
    assert 'name="action-submit"' in main


def test_a_network_editor_keeps_wagtails_footer(client, editors, structure):
    lesson = find_page(structure, COLOGNE_LESSON)
    main, menu = footer_buttons(as_user(client, editors["network"]).get(edit_url(lesson)).content.decode())
    assert 'name="action-submit"' not in main and 'name="action-publish"' in menu


# 2. Themes and date are required on a lesson.


def test_a_lesson_needs_themes_and_a_date_in_the_admin(client, editors, structure):
    cologne = find_city(structure, "Cologne")
    client = as_user(client, editors["network"])
    data = form_of(client, add_url(cologne))
    data.update({"title": "No themes", "slug": "no-themes", "language": "de", "action-publish": "1"})
    response = client.post(add_url(cologne), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "themes" in errors and "date" in errors
    assert not LessonPage.objects.filter(slug="no-themes").exists()


def test_a_lesson_without_themes_or_date_fails_model_validation(structure):
    cologne = find_city(structure, "Cologne")
    with pytest.raises(ValidationError):  # Wagtail validates a live page when it is saved
        cologne.add_child(instance=LessonPage(title="Bare", slug="bare", language="de"))
    lesson = LessonPage(title="Bare", slug="bare", language="de", live=False)
    cologne.add_child(instance=lesson)  # a draft: Wagtail checks its title and slug only
    with pytest.raises(ValidationError) as refused:
        lesson.full_clean()
    assert {"themes", "date"} <= set(refused.value.message_dict)

    lesson.date = "2024-05-02"
    lesson.themes = [Theme.objects.get(slug="energy")]
    lesson.full_clean()


@pytest.mark.parametrize(
    ("line", "field_name"),
    [
        ("date: 2024-05-02\n", "date"),
        ("themes: [Waste and circular economy, citizen-engagement-and-social-innovation]\n", "themes"),
    ],
)
def test_the_importer_refuses_a_lesson_without_themes_or_date(tmp_path, structure, line, field_name):
    assert line in LESSON
    path = write(tmp_path, "lesson.md", LESSON.replace(line, ""))
    report = import_paths([path])
    assert [(error.path, error.field_name) for error in report.errors] == [(path, field_name)]
    assert field_name in str(report.errors[0]) and "lesson.md" in str(report.errors[0])
    assert not LessonPage.objects.filter(slug="tool-libraries").exists()


# 3. The language of a new lesson.


def test_a_new_lesson_is_in_its_citys_language_and_the_networks_languages_come_first(client, editors, structure):
    html = as_user(client, editors["cologne"]).get(add_url(find_city(structure, "Cologne"))).content.decode()
    select = html.split('name="language"')[1].split("</select>")[0]
    assert '<option value="de" selected>' in select
    network, others = select.split("Other languages")
    assert all(f'value="{code}"' in network for code in ("de", "es", "sv", "en"))
    assert 'value="cy"' in others and 'value="cy"' not in network
    assert select.count("<option") == 81


# 4. Markdown: syntax hint and preview.


def test_markdown_fields_have_a_hint_and_a_preview(client, editors, structure):
    client = as_user(client, editors["cologne"])
    html = client.get(edit_url(find_page(structure, COLOGNE_LESSON))).content.decode()
    assert "data-kb-markdown-preview" in html and "**bold**" in html
    assert "/static/kb/js/markdown-preview.js" in html
    assert client.get("/static/kb/js/markdown-preview.js").status_code == 200

    preview = client.post(reverse("kb_markdown_preview"), {"text": "**Bold** <script>alert(1)</script>"})
    assert preview.status_code == 200
    assert "<strong>Bold</strong>" in preview.content.decode() and "<script" not in preview.content.decode()


def test_the_markdown_preview_refuses_bad_requests(client, editors):
    url = reverse("kb_markdown_preview")
    assert client.post(url, {"text": "x"}).status_code == 302  # to the login
    client = as_user(client, editors["cologne"])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 200
    assert client.post(url, {"text": "x" * 300_000}).status_code == 400


# 5. Labels.


def test_fields_have_readable_labels(client, editors, structure):
    html = as_user(client, editors["network"]).get(edit_url(find_page(structure, COLOGNE_LESSON))).content.decode()
    assert "Cost and effort" in html and "Editor&#x27;s pick" in html
    assert "Cost effort" not in html and "Editors pick" not in html


# 6. The review: the comment for the author, the reviewer's menu, the message after approval.


def test_the_author_sees_the_reviewers_request_on_the_page(client, editors, structure):
    lesson = submitted_lesson(client, editors, structure)
    task_state = TaskState.objects.get(workflow_state__object_id=str(lesson.pk), status="in_progress")
    as_user(client, editors["network"]).post(
        reverse("wagtailadmin_pages:workflow_action", args=[lesson.pk, "reject", task_state.pk]),
        {"comment": "Please add the costs <b>now</b>."},
    )
    html = as_user(client, editors["cologne"]).get(edit_url(lesson)).content.decode()
    assert "Changes requested by nina-network on" in html
    assert "Please add the costs &lt;b&gt;now&lt;/b&gt;." in html


def test_a_reviewer_approves_or_requests_changes_from_a_tidy_menu(client, editors, structure):
    lesson = submitted_lesson(client, editors, structure)
    main, menu = footer_buttons(as_user(client, editors["network"]).get(edit_url(lesson)).content.decode())
    assert 'data-workflow-action-name="approve"' in main and "Approve and publish" in main
    assert 'data-workflow-action-name="reject"' in menu and "Save draft" in menu
    assert (main + menu).count('data-workflow-action-name="approve"') == 1
    assert 'name="action-publish"' not in menu and "Approve with comment" not in menu


def test_approving_from_the_edit_form_says_the_page_was_published(client, editors, structure):
    lesson = submitted_lesson(client, editors, structure)
    client = as_user(client, editors["network"])
    data = form_of(client, edit_url(lesson))
    data.update({"action-workflow-action": "1", "workflow-action-name": "approve"})
    response = client.post(edit_url(lesson), data, follow=True)
    html = response.content.decode()
    assert "has been approved and published" in html and "has been updated" not in html
    lesson.refresh_from_db()
    assert lesson.live


# 7. The reports index.


def test_the_reports_index_lists_the_reports(client, editors):
    url = "/admin/reports/"
    assert client.get(url).status_code == 302  # to the login
    html = as_user(client, editors["network"]).get(url).content.decode()
    assert reverse("kb_review_due") in html and reverse("kb_action_plans_report") in html
    assert reverse("wagtailadmin_reports:site_history") in html
    assert as_user(client, editors["cologne"]).get(url).status_code == 200


# 8. The page chooser starts at the editor's city.


def test_the_page_chooser_starts_a_city_editor_at_their_city(client, editors, structure):
    cologne = find_city(structure, "Cologne")
    start = reverse("kb_choose_page")
    query = {"page_type": "kb.visitreportpage,kb.actionplanpage"}

    response = as_user(client, editors["cologne"]).get(start, query)
    assert response.status_code == 302
    assert response.url.startswith(reverse("wagtailadmin_choose_page_child", args=[cologne.pk]) + "?page_type=")
    assert "Aktionsplan Quartiersb\\u00fcros" in client.get(start, query, follow=True).content.decode()
    # Cities are chosen among cities; a page already chosen reopens where it is.
    assert client.get(start, {"page_type": "kb.citypage"}).url.startswith(reverse("wagtailadmin_choose_page"))
    soria = find_city(structure, "Soria")
    assert client.get(reverse("kb_choose_page_child", args=[soria.pk]), query).url.startswith(
        reverse("wagtailadmin_choose_page_child", args=[soria.pk])
    )
    assert client.get(start, {"page_type": "nonsense"}, follow=True).status_code == 404

    html = client.get(edit_url(find_page(structure, COLOGNE_LESSON))).content.decode()
    assert start in html  # the lesson's "source" chooser opens through it

    network = as_user(client, editors["network"]).get(start, query)
    assert network.url == reverse("wagtailadmin_choose_page") + "?page_type=kb.visitreportpage%2Ckb.actionplanpage"
