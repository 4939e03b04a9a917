import sys
import time

from django.core.management.base import BaseCommand

from bench.corpus.generator import CorpusGenerator


class Command(BaseCommand):
    help = "Create a deterministic synthetic network of N search documents (cities, lessons, plans, reports)."

    def add_arguments(self, parser):
        parser.add_argument("--docs", type=int, required=True, help="Number of search documents to create")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same corpus")

    def handle(self, *args, docs, seed, **options):
        generator = CorpusGenerator(seed)
        cities, counts = generator.plan(docs)
        total = sum(counts.values())
        done = 0

        def progress(count):
            nonlocal done
            done += count
            sys.stderr.write(f"\r{done}/{total} pages")
            sys.stderr.flush()

        started = time.perf_counter()
        stats = generator.generate(docs, progress)
        seconds = time.perf_counter() - started
        sys.stderr.write("\n")
        summary = ", ".join(f"{count} × {kind.replace('_', ' ')}" for kind, count in stats.pages.items())
        self.stdout.write(f"{stats.cities} cities, {summary} in {seconds:.1f} s ({total / seconds:.0f} pages/s)")
