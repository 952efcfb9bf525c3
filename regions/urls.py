from django.urls import path

from regions import views

app_name = "regions"

urlpatterns = [
    path("profil/", views.profile, name="profile"),
]
