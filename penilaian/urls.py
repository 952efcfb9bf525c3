from django.urls import path

from penilaian import views

app_name = "penilaian"

ASSESSMENT = "<str:program>/<str:region_code>/<int:year>/"

urlpatterns = [
    path("", views.assessment_list, name="assessment_list"),
    path("notifikasi/", views.notification_list, name="notification_list"),
    path("notifikasi/<int:pk>/buka/", views.notification_open, name="notification_open"),
    path("dokumen/<int:pk>/", views.document_download, name="document_download"),
    path("pengampu/<str:region_code>/", views.owner_list, name="owner_list"),
    path(ASSESSMENT, views.assessment_detail, name="assessment_detail"),
    path(ASSESSMENT + "bukti/", views.evidence_upload, name="evidence_upload"),
    path(ASSESSMENT + "bukti/<int:pk>/hapus/", views.evidence_unlink, name="evidence_unlink"),
    path(ASSESSMENT + "ajukan/", views.assessment_submit, name="assessment_submit"),
    path(ASSESSMENT + "verifikasi/", views.assessment_verify, name="assessment_verify"),
    path(ASSESSMENT + "kembalikan/", views.assessment_return, name="assessment_return"),
    path(ASSESSMENT + "buka-kunci/", views.assessment_unlock, name="assessment_unlock"),
]
