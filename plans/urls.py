from django.urls import path

from plans import views

urlpatterns = [
    path("", views.common_indicators, name="common_indicators"),
    path("<slug:slug>/", views.common_indicator, name="common_indicator"),
]
