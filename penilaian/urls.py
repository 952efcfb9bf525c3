"""The data-entry addresses: ``/penilaian/<program>/<region>/<year>/`` and its actions.

These names are the addresses of every programme's assessment (lists, notifications and
dashboards reverse them for APE, KLA and Kampung KB alike), but only the programmes whose pages
``penilaian.views`` renders itself resolve here: a programme app with its own page mounts the
same addresses for its code before this module (Kampung KB: ``kampung_kb.urls``).
"""

from django.urls import path, register_converter

from penilaian import views
from penilaian.models import Program


class ProgramConverter:
    """A programme code: any programme reverses, only ``views.PAGE_PROGRAMS`` resolve."""

    regex = "[a-z_]+"

    def to_python(self, value: str) -> str:
        if value not in views.PAGE_PROGRAMS:
            raise ValueError(value)
        return value

    def to_url(self, value: str) -> str:
        if value not in Program.values:
            raise ValueError(value)
        return value


register_converter(ProgramConverter, "program")

app_name = "penilaian"

ASSESSMENT = "<program:program>/<str:region_code>/<int:year>/"

urlpatterns = [
    path("", views.assessment_list, name="assessment_list"),
    path("notifikasi/", views.notification_list, name="notification_list"),
    path("notifikasi/<int:pk>/buka/", views.notification_open, name="notification_open"),
    path("dokumen/<int:pk>/", views.document_download, name="document_download"),
    path("pengampu/<str:region_code>/", views.owner_list, name="owner_list"),
    path(ASSESSMENT, views.assessment_detail, name="assessment_detail"),
    path(ASSESSMENT + "mulai/", views.assessment_start, name="assessment_start"),
    path(ASSESSMENT + "bukti/", views.evidence_upload, name="evidence_upload"),
    path(ASSESSMENT + "bukti/<int:pk>/hapus/", views.evidence_unlink, name="evidence_unlink"),
    path(ASSESSMENT + "ajukan/", views.assessment_submit, name="assessment_submit"),
    path(ASSESSMENT + "verifikasi/", views.assessment_verify, name="assessment_verify"),
    path(ASSESSMENT + "kembalikan/", views.assessment_return, name="assessment_return"),
    path(ASSESSMENT + "buka-kunci/", views.assessment_unlock, name="assessment_unlock"),
]
