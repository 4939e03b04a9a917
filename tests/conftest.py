import io

import pytest
from django.core.management import call_command

from kb.structure import ensure_site_structure


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo network once per session; each test then runs in a transaction that is rolled back."""
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def structure(db):
    return ensure_site_structure()
