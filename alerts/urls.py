from django.urls import path

from . import views

app_name = "alerts"
urlpatterns = [
    path("", views.my_alerts, name="mine"),
    path("follow/", views.follow, name="follow"),
    path("follows/<int:pk>/stop/", views.unfollow, name="unfollow"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("my-data.json", views.export, name="export"),
    path("delete-account/", views.delete_account, name="delete_account"),
]
