"""The open data downloads, mounted at /data/ (config/urls.py: ``path("data/", include("plans.open_data_urls"))``)."""

from django.urls import path

from plans import open_data

urlpatterns = [
    path("", open_data.index, name="open_data"),
    path("plans.csv", open_data.plans_csv, name="open_data_plans_csv"),
    path("actions.csv", open_data.actions_csv, name="open_data_actions_csv"),
    path("indicator-values.csv", open_data.indicator_values_csv, name="open_data_indicator_values_csv"),
    path("open-data.json", open_data.open_data_json, name="open_data_json"),
    path("catalog.jsonld", open_data.catalog_jsonld, name="open_data_catalog"),
]
