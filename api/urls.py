"""API URLs, mounted at ``/api/``: version 1 under ``v1/``, the OpenAPI schema and its docs."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api import accountability, pages, views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # a template without inline script or style (Content-Security-Policy)
        SpectacularSwaggerView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("token/", pages.token_page, name="token"),
    path("v1/me/", views.MeView.as_view(), name="me"),
    path("v1/regions/", views.RegionListView.as_view(), name="region_list"),
    path("v1/indicators/", views.IndicatorListView.as_view(), name="indicator_list"),
    path("v1/readiness/", views.ReadinessListView.as_view(), name="readiness_list"),
    path(
        "v1/assessments/<str:program>/<str:region>/<int:year>/",
        views.AssessmentView.as_view(),
        name="assessment_detail",
    ),
    path("v1/awards/", views.AwardListView.as_view(), name="award_list"),
    path("v1/meetings/", views.MeetingListView.as_view(), name="meeting_list"),
    path("v1/meetings/<int:id>/", views.MeetingDetailView.as_view(), name="meeting_detail"),
    path("v1/calendar/", accountability.CalendarView.as_view(), name="calendar"),
    path("v1/regions/<str:region>/opd/", accountability.RegionOpdView.as_view(), name="region_opd"),
    path(
        "v1/return-categories/",
        accountability.ReturnCategoryListView.as_view(),
        name="return_category_list",
    ),
    path(
        "v1/return-reasons/",
        accountability.ReturnReasonListView.as_view(),
        name="return_reason_list",
    ),
    # Anything else under v1/ (a mistyped path, a year that is not a number) is a JSON 404 in
    # the UI language, like every other API error, not the site's HTML page.
    re_path(r"^v1/", views.unknown_path, name="unknown"),
]
