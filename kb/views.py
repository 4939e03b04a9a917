"""Pages that are not part of the page tree: themes (all content on one theme), robots.txt and the favicon."""

from django.db.models import Count
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from kb.content_types import KNOWLEDGE
from kb.models import Theme

THEME_PAGE_SIZE = 50  # items per kind on a theme's page; the search has the rest


def theme_index(request):
    themes = Theme.objects.all()
    counts = {theme.pk: 0 for theme in themes}
    for kind in KNOWLEDGE:
        for row in kind.model.objects.published().values("themes").annotate(n=Count("pk")).order_by():
            if row["themes"] in counts:
                counts[row["themes"]] += row["n"]
    return render(request, "kb/theme_index.html", {"themes": [(theme, counts[theme.pk]) for theme in themes]})


def theme_detail(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    sections = []
    for kind in KNOWLEDGE:
        pages = kind.model.objects.published().with_city().filter(themes=theme)
        sections.append((kind.key, kind.plural, list(pages.order_by("-date", "-first_published_at")[:THEME_PAGE_SIZE])))
    return render(request, "kb/theme_detail.html", {"theme": theme, "sections": sections})


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "Disallow: /api/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


@require_GET
def favicon(request):
    """Browsers and feed readers ask for /favicon.ico whatever the page links to; the icon is a static file."""
    # Not permanent: the static name carries a hash of the content, which changes with the icon.
    return HttpResponseRedirect(static("img/favicon.ico"))
