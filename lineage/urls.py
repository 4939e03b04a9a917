from django.urls import path

from . import views

urlpatterns = [path("", views.transfer_map, name="transfer_map")]
