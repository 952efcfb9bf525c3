from django.urls import path

from impor import views

app_name = "impor"

urlpatterns = [
    path("", views.index, name="index"),
    path("proses/", views.job_list, name="jobs"),
    path("proses/<int:pk>/", views.job, name="job"),
    path("proses/<int:pk>/terapkan/", views.job_confirm, name="job_confirm"),
    path("proses/<int:pk>/ulangi/", views.job_retry, name="job_retry"),
    path("kesalahan/<str:token>/", views.error_file, name="errors"),
    path("<slug:resource>/", views.upload, name="upload"),
    path("<slug:resource>/konfirmasi/", views.confirm, name="confirm"),
    path("<slug:resource>/templat/", views.blank_template, name="template"),
    path("<slug:resource>/ekspor/", views.export, name="export"),
]
