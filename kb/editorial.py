"""Who may do what: network editors curate and publish anywhere, each city's editors write under their city.

City content goes through the "Network review" workflow: a city editor submits, a network editor approves
(which publishes) or requests changes with a comment.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from kb.models import CityPage
from kb.structure import ensure_site_structure

NETWORK_EDITORS = "Network editors"
CITY_EDITORS_PREFIX = "City editors: "
REVIEW_WORKFLOW = "Network review"
REVIEW_TASK = "Network editor approval"

# City editors may write and submit; publishing is the review's outcome, never theirs.
CITY_PAGE_PERMISSIONS = ["add_page", "change_page"]
NETWORK_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "bulk_delete_page", "lock_page", "unlock_page"]
EVERY_EDITOR = ["wagtailadmin.access_admin"]
NETWORK_EXTRA = ["kb.add_theme", "kb.change_theme", "kb.delete_theme", "kb.curate_content"]
COLLECTION_PERMISSIONS = {
    "city": [
        "wagtaildocs.add_document",
        "wagtaildocs.choose_document",
        "wagtailimages.add_image",
        "wagtailimages.choose_image",
    ],
    "network": [
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.delete_document",
        "wagtaildocs.choose_document",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.delete_image",
        "wagtailimages.choose_image",
    ],
}


def permissions(names: list[str]) -> list[Permission]:
    found = []
    for name in names:
        app_label, codename = name.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def page_permissions(codenames: list[str]) -> list[Permission]:
    return permissions([f"wagtailcore.{codename}" for codename in codenames])


def _grant(group: Group, page, page_codenames: list[str], global_names: list[str], collection_kind: str) -> None:
    for permission in page_permissions(page_codenames):
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)
    group.permissions.add(*permissions(global_names))
    root = Collection.get_first_root_node()
    for permission in permissions(COLLECTION_PERMISSIONS[collection_kind]):
        GroupCollectionPermission.objects.get_or_create(group=group, collection=root, permission=permission)


def network_editors() -> Group:
    group, _created = Group.objects.get_or_create(name=NETWORK_EDITORS)
    _grant(group, ensure_site_structure().home, NETWORK_PAGE_PERMISSIONS, EVERY_EDITOR + NETWORK_EXTRA, "network")
    return group


def city_editors(city: CityPage) -> Group:
    """The editor group of one city, found by the permission that ties it to the city's page."""
    permission = (
        GroupPagePermission.objects.filter(
            page=city, permission__codename="add_page", group__name__startswith=CITY_EDITORS_PREFIX
        )
        .select_related("group")
        .first()
    )
    group = (
        permission.group if permission else Group.objects.get_or_create(name=f"{CITY_EDITORS_PREFIX}{city.label}")[0]
    )
    _grant(group, city, CITY_PAGE_PERMISSIONS, EVERY_EDITOR, "city")
    return group


def can_publish_anywhere(user) -> bool:
    """Network editors and superusers: they see and choose every page, drafts included."""
    return user.is_superuser or user.groups.filter(name=NETWORK_EDITORS).exists()


def own_city(user) -> CityPage | None:
    """The city whose editors' group the user is in (the first by name, for the rare editor of several)."""
    return (
        CityPage.objects.filter(
            group_permissions__group__user=user,
            group_permissions__group__name__startswith=CITY_EDITORS_PREFIX,
            group_permissions__permission__codename="add_page",
        )
        .order_by("title")
        .first()
    )


def review_workflow(reviewers: Group) -> Workflow:
    """Every page under /cities/ is reviewed by a network editor before it is published."""
    workflow, _created = Workflow.objects.get_or_create(name=REVIEW_WORKFLOW, defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name=REVIEW_TASK).first() or GroupApprovalTask.objects.create(
        name=REVIEW_TASK
    )
    task.groups.add(reviewers)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    WorkflowPage.objects.update_or_create(page=ensure_site_structure().cities, defaults={"workflow": workflow})
    return workflow


@transaction.atomic
def ensure_editorial_setup() -> None:
    """Create or complete the groups, their permissions and the review workflow; safe to run again."""
    reviewers = network_editors()
    review_workflow(reviewers)
    for city in CityPage.objects.all():
        city_editors(city)
