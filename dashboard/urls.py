from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("wilayah/<str:kode>/", views.region, name="region"),
    path("wilayah/<str:kode>/cetak/", views.region_print, name="region_print"),
    path("publik/", views.public, name="public"),
    path("metode/", views.metode, name="metode"),
    path("ape/", views.ape, name="ape"),
    path("kla/", views.kla, name="kla"),
    path("kampung-kb/", views.kampung_kb, name="kampung_kb"),
    path("ekspor/rekap.xlsx", views.export_recap, name="export_recap"),
    path("ekspor/ape.xlsx", views.export_ape, name="export_ape"),
    path("ekspor/kla.xlsx", views.export_kla, name="export_kla"),
    path("ekspor/kampung-kb.xlsx", views.export_kampung_kb, name="export_kampung_kb"),
]
