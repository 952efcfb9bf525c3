from django.urls import path

from sinergitas import views

app_name = "sinergitas"

urlpatterns = [
    path("", views.meeting_list_view, name="list"),
    path("kalender/", views.meeting_calendar, name="calendar"),
    path("ekspor.xlsx", views.meeting_export, name="export"),
    path("baru/", views.meeting_create, name="create"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/ubah/", views.meeting_edit, name="edit"),
    path("<int:pk>/dokumen/", views.document_upload, name="document_upload"),
    path("<int:pk>/dokumen/<int:document_pk>/", views.document_download, name="document"),
    path(
        "<int:pk>/dokumen/<int:document_pk>/lepas/",
        views.document_remove,
        name="document_remove",
    ),
    path("<int:pk>/bukti/", views.evidence_link, name="evidence_link"),
    path("<int:pk>/bukti/<int:link_pk>/hapus/", views.evidence_unlink, name="evidence_unlink"),
    path("<int:pk>/tindak-lanjut/", views.followup_create, name="followup_create"),
    path(
        "<int:pk>/tindak-lanjut/<int:followup_pk>/ubah/",
        views.followup_edit,
        name="followup_edit",
    ),
]
