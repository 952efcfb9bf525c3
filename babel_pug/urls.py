"""URL map: each app owns its own urls module; this file only wires them."""

from django.contrib import admin
from django.urls import include, path

from babel_pug import views
from regions.password_reset import PasswordResetView

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # before Django's auth URLs: a reset page that never says "sent" when nothing was sent
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("penilaian/kampung_kb/", include("kampung_kb.urls")),
    path("penilaian/", include("penilaian.urls")),
    path("akun/", include("regions.urls")),
    path("sinergitas/", include("sinergitas.urls")),
    path("impor/", include("impor.urls")),
    path("api/", include("api.urls")),
    path("", include("akuntabilitas.urls")),
    path("", include("dashboard.urls")),
]

handler400 = "babel_pug.views.bad_request"
handler403 = "babel_pug.views.permission_denied"
handler404 = "babel_pug.views.page_not_found"
handler500 = "babel_pug.views.server_error"
