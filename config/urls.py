from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from alerts import views as alerts_views
from kb import feeds
from kb import views as kb_views
from search import views as search_views
from search.api import api

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
    path("feeds/", include(feeds.urlpatterns())),
    path("accounts/", include("allauth.urls")),
    path("alerts/", include("alerts.urls")),
    path("privacy/", alerts_views.privacy, name="privacy"),
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
