"""The Kampung KB assessment addresses, mounted at ``penilaian/kampung_kb/`` (babel_pug.urls).

They are the shared assessment addresses of ``penilaian.urls`` for the Kampung KB programme
(``/penilaian/kampung_kb/<region>/<year>/`` and its evidence and workflow actions), served by
the shared views with the Kampung KB page plugged in: the table of desa rows
(:func:`kampung_kb.views.render_page`, :func:`kampung_kb.views.save_desa_rows`) and reasons per
desa when returning.
"""

from django.urls import path

from kampung_kb import views
from penilaian import views as shared
from penilaian.models import Program

app_name = "kampung_kb"

ASSESSMENT = "<str:region_code>/<int:year>/"
PAGE = {"program": Program.KAMPUNG_KB, "render_page": views.render_page}

urlpatterns = [
    path(
        ASSESSMENT,
        shared.assessment_detail,
        {**PAGE, "save_page": views.save_desa_rows},
        name="assessment_detail",
    ),
    path(ASSESSMENT + "mulai/", shared.assessment_start, PAGE, name="assessment_start"),
    path(ASSESSMENT + "bukti/", shared.evidence_upload, PAGE, name="evidence_upload"),
    path(
        ASSESSMENT + "bukti/<int:pk>/hapus/", shared.evidence_unlink, PAGE, name="evidence_unlink"
    ),
    path(ASSESSMENT + "ajukan/", shared.assessment_submit, PAGE, name="assessment_submit"),
    path(ASSESSMENT + "verifikasi/", shared.assessment_verify, PAGE, name="assessment_verify"),
    path(
        ASSESSMENT + "kembalikan/",
        shared.assessment_return,
        {"program": Program.KAMPUNG_KB, "per_desa": True},
        name="assessment_return",
    ),
    path(ASSESSMENT + "buka-kunci/", shared.assessment_unlock, PAGE, name="assessment_unlock"),
]
