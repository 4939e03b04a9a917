"""Fixtures every test area shares: the test network in the database, the real engine, editors."""

import io
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from opensearchpy import OpenSearch
from opensearchpy.exceptions import OpenSearchException

from kb.content_files.pages import find_city
from kb.editorial import city_editors, ensure_editorial_setup, network_editors
from kb.structure import ensure_site_structure
from search.backends import database_backend
from search.engine import get_engine
from search.indexer import rebuild

from . import network


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the test network once per session; each test then runs in a transaction that is rolled back."""
    with django_db_blocker.unblock():
        call_command("load_demo", *network.FILES, stdout=io.StringIO())


@pytest.fixture
def structure(db):
    return ensure_site_structure()


@pytest.fixture
def demo(db):
    """The whole demo network on top of the test network (rolled back with the test)."""
    call_command("load_demo", stdout=io.StringIO())
    return ensure_site_structure()


# --- the engine ---------------------------------------------------------------------------------------

ENGINE_URL = os.environ.get("SEARCH_TEST_URL", "http://127.0.0.1:9400")


def engine_unreachable(reason: str):
    """In CI an engine that is not there is a failure; on a laptop without Java the engine tests are skipped."""
    in_ci = os.environ.get("CI") == "true"
    outcome, message = (pytest.fail, "the OpenSearch node is required in CI") if in_ci else (pytest.skip, "no node")
    outcome(f"{message}: {reason}; start one with `make opensearch`", **({"pytrace": False} if in_ci else {}))


@pytest.fixture(scope="session")
def engine_url():
    try:
        OpenSearch([ENGINE_URL], timeout=40).cluster.health(wait_for_status="yellow")
    except OpenSearchException as error:
        engine_unreachable(f"{ENGINE_URL}: {error}")
    return ENGINE_URL


@pytest.fixture
def search_engine(engine_url, settings, structure):
    """The real node, with a fresh index (unique prefix) built from the test network."""
    prefix = f"test{os.getpid()}_"
    settings.SEARCH = {**settings.SEARCH, "URL": engine_url, "INDEX_PREFIX": prefix, "INDEX_INLINE": False}
    engine = get_engine()
    rebuild()
    yield engine
    for index in engine.indices_matching(f"{prefix}*"):
        engine.delete_index(index)


@pytest.fixture(params=["database", "engine"])
def any_engine(request, structure):
    """Run a test on the database backend and on the real engine: ``None`` for the database."""
    if request.param == "engine":
        return request.getfixturevalue("search_engine")
    return None


@pytest.fixture
def words_only(settings, structure):
    """Search by words alone, as with SEARCH_EMBEDDER="": for tests of the query syntax and its second chances.

    Documents record their embedding's key, so the database's are rebuilt as after such a change of settings.
    """
    settings.SEARCH = {**settings.SEARCH, "EMBEDDER": ""}
    rebuild(database_backend())


# --- people -------------------------------------------------------------------------------------------


def make_user(name: str, group):
    user = get_user_model().objects.create_user(name, f"{name}@example.com", "password")
    user.groups.add(group)
    return user


@pytest.fixture
def editors(structure):
    """A network editor and the editors of Cologne and Soria."""
    ensure_editorial_setup()
    return {
        "network": make_user("nina-network", network_editors()),
        "cologne": make_user("carl-cologne", city_editors(find_city(structure, "Cologne"))),
        "soria": make_user("sara-soria", city_editors(find_city(structure, "Soria"))),
    }
