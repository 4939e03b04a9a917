from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from home.models import HomeFeaturedItem
from kb.content_files.pages import find_city, find_page
from kb.editorial import city_editors, ensure_editorial_setup, network_editors
from kb.models import CityPage
from kb.structure import ensure_site_structure
from search.embeddings import VectorFileError, get_embedder, load_vectors
from search.indexer import drain, queue_needed

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
# The demo's embeddings and the glossary's, as `search_index save-vectors` wrote them after a load of the demo:
# loading them spares a minute of computing. A text changed since is embedded anew when the queue is drained;
# tests/search/test_semantic.py says when the file is due to be saved again.
DEMO_VECTORS = DEMO_DIR / "vectors.npz"
HOME_INTRO = """\
Cities of the [EU Mission on Climate-Neutral and Smart Cities](https://research-and-innovation.ec.europa.eu/funding/funding-opportunities/funding-programmes-and-open-calls/horizon-europe/eu-missions-horizon-europe/climate-neutral-and-smart-cities_en)
learn from each other. Pilot Cities and their Twin Cities visit each other, draft Action Plans and write down
what worked — and what did not. Search their lessons, follow their plans, and borrow what fits your city.
"""
FEATURED = [
    "case_study:case-studies/proximity-offices-for-renovation",
    "lesson:cologne/proximity-offices",
    "lesson:soria/oficinas-de-proximidad",
]


class Command(BaseCommand):
    help = "Load the demo network (Markdown files in kb/demo) through import_markdown; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if the network has cities already")
        parser.add_argument(
            "files", nargs="*", help="Only these files or folders, relative to kb/demo (the tests' small network)"
        )

    def handle(self, *args, if_empty, files, **options):
        if if_empty and CityPage.objects.exists():
            self.stdout.write("content present: demo not loaded again")
            return
        paths = [str(DEMO_DIR / name) for name in files] or [str(DEMO_DIR)]
        if (embedder := get_embedder()) is not None:
            try:
                loaded = load_vectors(DEMO_VECTORS, embedder)
            except VectorFileError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"{loaded} embeddings of the demo and the glossary loaded from {DEMO_VECTORS.name}")
        call_command("import_markdown", *paths, publish=True, stdout=self.stdout, stderr=self.stderr)
        self._set_up_home()
        ensure_editorial_setup()
        # The queue now (the demo's embeddings, the engine's documents), so that the demo is found by meaning
        # at once; a worker would take as long.
        if queue_needed():
            result = drain()
            self.stdout.write(f"search queue: {result.indexed} pages indexed, {result.failed} failed")
        if settings.DEBUG:
            self._create_demo_editors()

    def _create_demo_editors(self):
        """Known logins for trying the review workflow locally; never created outside DEBUG."""
        structure = ensure_site_structure()
        User = get_user_model()
        for username, password, group in (
            ("network-editor", "network-editor-demo", network_editors()),
            ("cologne-editor", "cologne-editor-demo", city_editors(find_city(structure, "Cologne"))),
            ("soria-editor", "soria-editor-demo", city_editors(find_city(structure, "Soria"))),
        ):
            user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
            if created:
                user.set_password(password)
                user.save()
            user.groups.add(group)
            self.stdout.write(f"demo editor: {username} / {password} ({group.name})")

    @transaction.atomic
    def _set_up_home(self):
        structure = ensure_site_structure()
        home = structure.home
        featured = [page for page in (find_page(structure, ref) for ref in FEATURED) if page]
        current = [item.page_id for item in home.featured_items.all()]
        if home.intro == HOME_INTRO and current == [page.pk for page in featured]:
            return
        home.intro = HOME_INTRO
        home.featured_items = [HomeFeaturedItem(page=page) for page in featured]
        home.save_revision().publish()
        self.stdout.write("home page intro and featured items set")
