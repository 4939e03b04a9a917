"""Real-browser tests: Debian's Chromium driven by Playwright against the site served by gunicorn.

The site runs in its own process with its own SQLite database loaded with the demo (and, when the engine is
there, its own index), so the browser sees exactly what a visitor would.
"""

import os
import urllib.request
from pathlib import Path

import pytest

from tests.served import manage, served

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
# One page of every type a reader can reach.
PAGES = {
    "home": "/",
    "lessons": "/lessons/",
    "lesson": "/cities/cologne/proximity-offices/",
    "themes": "/themes/",
    "theme": "/themes/energy/",
    "cities": "/cities/",
    "city": "/cities/cologne/",
    "action-plans": "/action-plans/",
    "action-plan": "/cities/cologne/aktionsplan-quartiersbueros/",
    "action": "/cities/cologne/aktionsplan-quartiersbueros/actions/3/",
    "common-indicators": "/indicators/",
    "common-indicator": "/indicators/households-advised/?city=cologne",
    "visit-reports": "/visit-reports/",
    "visit-report": "/cities/vitoria-gasteiz/co-creation-visit-proximity-offices/",
    "case-studies": "/case-studies/",
    "case-study": "/case-studies/proximity-offices-for-renovation/",
    "search": "/search/?q=renovation",
    "transfers": "/transfers/",
    "feeds": "/feeds/",
    "privacy": "/privacy/",
    "sign-in": "/accounts/login/",
    "open-data": "/data/",
}
# A network member with a confirmed address, made with the site (signing up sends a confirmation email).
MEMBER = {"email": "reader@example.org", "password": "a-long-password-1"}
MAKE_MEMBER = (
    "from allauth.account.models import EmailAddress; from django.contrib.auth import get_user_model; "
    "from alerts.models import Member; "
    f"user = get_user_model().objects.create_user('reader', '{MEMBER['email']}', '{MEMBER['password']}'); "
    f"EmailAddress.objects.create(user=user, email='{MEMBER['email']}', verified=True, primary=True); "
    "Member.objects.create(user=user)"
)
# A Cologne editor, who cannot publish: what the editor's flow in the admin is tried as.
EDITOR = {"username": "carl-cologne", "password": "a-long-password-1"}
MAKE_EDITOR = (
    "from django.contrib.auth import get_user_model; from kb.editorial import city_editors; "
    "from kb.models import CityPage; "
    f"user = get_user_model().objects.create_user('{EDITOR['username']}', 'carl@example.org', '{EDITOR['password']}'); "
    "user.groups.add(city_editors(CityPage.objects.get(slug='cologne')))"
)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def unavailable(reason: str):
    in_ci = os.environ.get("CI") == "true"
    outcome = pytest.fail if in_ci else pytest.skip  # in CI the browser must run
    outcome(f"browser tests need {reason}", **({"pytrace": False} if in_ci else {}))


def engine_reachable(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_cluster/health", timeout=3):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The demo site under gunicorn on a free loopback port."""
    folder = tmp_path_factory.mktemp("site")
    engine = os.environ.get("SEARCH_TEST_URL", "http://127.0.0.1:9400")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "false",
        "SECRET_KEY": "browser-tests",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{folder / 'site.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
        "SEARCH_URL": engine if engine_reachable(engine) else "",
        "SEARCH_INDEX_PREFIX": f"browser{os.getpid()}_",
    }
    hostile = str(Path(__file__).resolve().parent / "content")
    commands = [["migrate", "--noinput"], ["load_demo"], ["import_markdown", hostile, "--publish"]]
    commands += [["shell", "-c", MAKE_MEMBER], ["shell", "-c", MAKE_EDITOR]]
    commands += [["search_index", "rebuild"]] if env["SEARCH_URL"] else []
    for command in commands:
        manage(env, *command)
    with served(folder, env) as server:
        yield {"url": server.url, "engine": bool(env["SEARCH_URL"])}


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}  # an iPhone 12 to 15, in CSS pixels


def open_page(browser, site, *, bypass_csp: bool, viewport: dict = DESKTOP):
    context = browser.new_context(
        base_url=site["url"], viewport=viewport, locale="en-GB", bypass_csp=bypass_csp, has_touch=viewport is PHONE
    )
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console", lambda message: problems.append(message.text) if "Content Security Policy" in message.text else None
    )
    return context, page, problems


@pytest.fixture
def page(browser, site):
    """A page that ignores the site's CSP, so that axe can be injected: what it checks is the markup alone."""
    context, page, problems = open_page(browser, site, bypass_csp=True)
    yield page
    context.close()
    assert problems == [], f"JavaScript errors: {problems}"


@pytest.fixture
def phone_page(browser, site):
    """Like ``page``, on a phone's screen."""
    context, page, problems = open_page(browser, site, bypass_csp=True, viewport=PHONE)
    yield page
    context.close()
    assert problems == [], f"JavaScript errors: {problems}"


@pytest.fixture
def strict_page(browser, site):
    """A page under the site's Content-Security-Policy, as a visitor gets it; any violation fails the test."""
    context, page, problems = open_page(browser, site, bypass_csp=False)
    yield page
    context.close()
    assert problems == [], f"JavaScript errors or CSP violations: {problems}"


def tab_until(page, reached: str, presses: int = 15) -> bool:
    """Press Tab until the JavaScript expression ``reached`` is true of the focused element; whether it was."""
    for _press in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate(reached):
            return True
    return False


def screenshot(page, name: str) -> None:
    """Saved for reviewers (test-artifacts/ is not committed)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def axe_violations(page) -> list[dict]:
    if not AXE.exists():
        unavailable(f"axe-core ({AXE}; run `npm ci --prefix tests/browser`)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [node["target"] for node in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
