"""The network search page. Until the engine-backed service lands it answers from Wagtail's database search."""

from django.core.paginator import Paginator
from django.shortcuts import render
from wagtail.models import Page

PAGE_SIZE = 20


def search(request):
    query = request.GET.get("q", "").strip()[:200]
    results = Page.objects.live().public().specific().search(query) if query else Page.objects.none()
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "search/search.html", {"query": query, "results": page})
