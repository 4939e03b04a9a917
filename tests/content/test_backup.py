"""Backup and restore of the content: export, empty the site, import, rebuild, verify."""

import filecmp

import pytest
from wagtail.models import Page

from kb.content_files.exporter import export_all
from kb.content_files.importer import import_paths
from kb.models import CaseStudyPage, CityPage
from search.indexer import rebuild, verify

pytestmark = [pytest.mark.django_db, pytest.mark.engine]


def test_restore_from_markdown_then_rebuild_gives_a_verified_index(search_engine, structure, tmp_path):
    backup, after = tmp_path / "backup", tmp_path / "after"
    export_all(backup)
    pages = Page.objects.count()

    # The content is lost: city content first (a visit report protects the city that hosted it), then the rest.
    for page in [*Page.objects.filter(depth=5), *CityPage.objects.all(), *CaseStudyPage.objects.all()]:
        page.delete()
    assert not CityPage.objects.exists()

    report = import_paths([backup], publish=True)
    assert report.errors == []
    assert Page.objects.count() == pages
    rebuild()
    drift = verify()
    assert drift.clean, drift

    export_all(after)
    comparison = filecmp.dircmp(backup, after)
    assert not (comparison.left_only or comparison.right_only or comparison.diff_files)
    assert all(not (sub.left_only or sub.right_only or sub.diff_files) for sub in comparison.subdirs.values())
