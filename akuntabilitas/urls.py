from django.urls import path

from akuntabilitas import views

app_name = "akuntabilitas"

urlpatterns = [
    path("tugas/", views.tasks, name="tugas"),
    path("wilayah/<str:kode>/opd/", views.region_opd, name="region_opd"),
    path("opd/", views.province_opd, name="province_opd"),
    path("kalender/", views.calendar, name="calendar"),
    path("kalender/pengingat/", views.sent_reminders, name="sent_reminders"),
]
