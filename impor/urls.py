from django.urls import path

from impor import views

app_name = "impor"

urlpatterns = [
    path("", views.index, name="index"),
    path("kesalahan/<str:token>/", views.error_file, name="errors"),
    path("<slug:resource>/", views.upload, name="upload"),
    path("<slug:resource>/konfirmasi/", views.confirm, name="confirm"),
    path("<slug:resource>/templat/", views.blank_template, name="template"),
    path("<slug:resource>/ekspor/", views.export, name="export"),
]
