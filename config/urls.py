from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from kb import views as kb_views
from kb.feeds import LessonAtomFeed, LessonFeed
from search import views as search_views
from search.api import api

feeds = [
    path("lessons/", LessonFeed(), name="feed_lessons"),
    path("lessons/atom/", LessonAtomFeed(), name="feed_lessons_atom"),
    path("themes/<slug:theme>/", LessonFeed(), name="feed_theme"),
    path("themes/<slug:theme>/atom/", LessonAtomFeed(), name="feed_theme_atom"),
    path("cities/<slug:city>/", LessonFeed(), name="feed_city"),
    path("cities/<slug:city>/atom/", LessonAtomFeed(), name="feed_city_atom"),
]

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", search_views.search, name="search"),
    path("api/", api.urls),
    path("indicators/", include("plans.urls")),
    path("transfers/", include("lineage.urls")),
    path("themes/", kb_views.theme_index, name="themes"),
    path("themes/<slug:slug>/", kb_views.theme_detail, name="theme"),
    path("feeds/", include(feeds)),
    path("data/", include("plans.open_data_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", kb_views.robots_txt, name="robots_txt"),
    path("favicon.ico", kb_views.favicon, name="favicon"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
