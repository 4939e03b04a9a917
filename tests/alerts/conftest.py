import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from alerts.models import Member
from kb.content_files.pages import find_city
from tests.network import add_draft_lesson


def make_member(email: str, *, language: str = "en", frequency: str = "weekly", confirmed: bool = True) -> Member:
    """A network member as sign-up leaves one: an account, its address (confirmed or not), alert settings."""
    user = get_user_model().objects.create_user(email.split("@")[0], email, "a-long-password-1")
    EmailAddress.objects.create(user=user, email=email, verified=confirmed, primary=True)
    return Member.objects.create(user=user, language=language, frequency=frequency)


def publish_lesson(city, title: str, slug: str, **fields):
    lesson = add_draft_lesson(city, title=title, slug=slug, **fields)
    lesson.save_revision().publish()
    lesson.refresh_from_db()  # live now, as the published revision left it
    return lesson


@pytest.fixture
def member(db):
    return make_member("mia@example.org")


@pytest.fixture
def cologne(structure):
    return find_city(structure, "Cologne")


@pytest.fixture
def soria(structure):
    return find_city(structure, "Soria")
