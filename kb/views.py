"""Pages that are not part of the page tree: themes (all content on one theme) and robots.txt."""

from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from kb.models import ActionPlanPage, CaseStudyPage, LessonPage, Theme, VisitReportPage, attach_cities

THEME_SECTIONS = [
    ("lessons", LessonPage),
    ("action_plans", ActionPlanPage),
    ("visit_reports", VisitReportPage),
    ("case_studies", CaseStudyPage),
]


def theme_index(request):
    themes = Theme.objects.all()
    counts = {theme.pk: 0 for theme in themes}
    for _name, model in THEME_SECTIONS:
        for row in model.objects.live().public().values("themes").annotate(n=Count("pk")).order_by():
            if row["themes"] in counts:
                counts[row["themes"]] += row["n"]
    return render(request, "kb/theme_index.html", {"themes": [(theme, counts[theme.pk]) for theme in themes]})


def theme_detail(request, slug):
    theme = get_object_or_404(Theme, slug=slug)
    sections = []
    for name, model in THEME_SECTIONS:
        items = list(model.objects.live().public().filter(themes=theme).order_by("-date", "-first_published_at")[:50])
        attach_cities(items)
        sections.append((name, model._meta.verbose_name_plural, items))
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
