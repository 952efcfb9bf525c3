"""Meeting pages: list, calendar, export, detail, create/edit, documents, evidence, follow-ups.

Every meeting is read through :func:`sinergitas.queries.visible_meetings`: a meeting that does
not cover a region in the user's scope is a 404. Changing needs the admin or the koordinator of a
covered region (403 otherwise).
"""

from __future__ import annotations

import calendar
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from penilaian import evidence, fixes
from penilaian.models import Assessment, EvidenceLink, Indicator
from regions.models import Region, Role
from regions.scoping import Scope, scope_for
from sinergitas.exports import meetings_workbook
from sinergitas.forms import (
    DocumentUploadForm,
    EvidenceLinkForm,
    FollowUpForm,
    MeetingFilterForm,
    MeetingForm,
)
from sinergitas.models import FollowUp, Meeting, MeetingDocument, Participation, jakarta_today
from sinergitas.queries import (
    can_create_meeting,
    can_edit_meeting,
    meeting_list,
    visible_meetings,
)

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LOCKED = (Assessment.Status.SUBMITTED, Assessment.Status.VERIFIED)


# --- helpers ---------------------------------------------------------------------------------
def _meeting_or_404(scope: Scope, pk: int) -> Meeting:
    """The meeting if it covers a region in scope (regions prefetched); otherwise 404."""
    queryset = visible_meetings(scope).prefetch_related("regions")
    return get_object_or_404(queryset, pk=pk)


def _region_ids(meeting: Meeting) -> set[int]:
    return {region.pk for region in meeting.regions.all()}


def _editable_meeting_or_error(scope: Scope, pk: int) -> Meeting:
    """The meeting if the user may change it: 404 out of scope, 403 in scope but read-only."""
    meeting = _meeting_or_404(scope, pk)
    if not can_edit_meeting(scope, _region_ids(meeting)):
        raise PermissionDenied(_("You may not change this meeting."))
    return meeting


def _managed_region_ids(scope: Scope, meeting: Meeting) -> list[int]:
    """The meeting's regions whose data this user may change (admin: all of them)."""
    return [pk for pk in _region_ids(meeting) if scope.can_manage_region(pk)]


def _linkable_assessments(scope: Scope, meeting: Meeting) -> QuerySet[Assessment]:
    """Open (not submitted/verified) assessments of covered regions the user may change."""
    return (
        Assessment.objects.filter(region_id__in=_managed_region_ids(scope, meeting))
        .exclude(status__in=LOCKED)
        .select_related("edition", "region")
        .order_by("-edition__year", "edition__program", "region__code")
    )


def _document_region(scope: Scope, meeting: Meeting) -> Region | None:
    """The owner region of a new meeting document (None: a province-level document)."""
    if scope.role == Role.KOORDINATOR and scope.region_id:
        return Region.objects.get(pk=scope.region_id)
    regions = list(meeting.regions.all())
    return regions[0] if len(regions) == 1 else None


def _month_param(value: str | None) -> tuple[int, int] | None:
    try:
        year_text, month_text = (value or "").split("-")
        year, month = int(year_text), int(month_text)
    except ValueError:
        return None
    if not (1900 <= year <= 2999 and 1 <= month <= 12):
        return None
    return year, month


# --- list, export, calendar ------------------------------------------------------------------
@login_required
def meeting_list_view(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    form = MeetingFilterForm(request.GET or None, scope=scope)
    meetings = meeting_list(scope, form.filters())
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "sinergitas/meeting_list.html",
        {
            "form": form,
            "page": page,
            "meetings": page.object_list,
            "query": query.urlencode(),
            "can_create": can_create_meeting(scope),
        },
    )


@login_required
def meeting_export(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    form = MeetingFilterForm(request.GET or None, scope=scope)
    content = meetings_workbook(meeting_list(scope, form.filters()))
    response = HttpResponse(content, content_type=XLSX)
    stamp = jakarta_today().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="pertemuan-sinergitas-{stamp}.xlsx"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def meeting_calendar(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    today = jakarta_today()
    month = _month_param(request.GET.get("bulan"))
    if month is None:
        if request.GET.get("bulan"):
            messages.error(request, _("Unknown month; showing the current month."))
        month = (today.year, today.month)
    year, month_no = month
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month_no)
    meetings = list(
        visible_meetings(scope)
        .filter(date__gte=weeks[0][0], date__lte=weeks[-1][-1])
        .prefetch_related("regions")
        .order_by("date", "time", "pk")
    )
    by_day: dict[datetime.date, list[Meeting]] = {}
    for meeting in meetings:
        by_day.setdefault(meeting.date, []).append(meeting)
    first = datetime.date(year, month_no, 1)
    previous = first - datetime.timedelta(days=1)
    following = first + datetime.timedelta(days=32)
    month_meetings = [m for m in meetings if (m.date.year, m.date.month) == month]
    earlier = later = None
    if not month_meetings:
        # an empty month: point to the nearest months that have meetings (2 small queries)
        visible = visible_meetings(scope).order_by()
        earlier = visible.filter(date__lt=first).order_by("-date").values_list("date", flat=True)
        later = visible.filter(date__gte=following.replace(day=1)).order_by("date")
        earlier = earlier.first()
        later = later.values_list("date", flat=True).first()
    return render(
        request,
        "sinergitas/meeting_calendar.html",
        {
            "month": first,
            "weeks": [[(day, by_day.get(day, [])) for day in week] for week in weeks],
            "month_meetings": month_meetings,
            "earlier_meeting": earlier,
            "later_meeting": later,
            "previous": f"{previous:%Y-%m}",
            "next": f"{following:%Y-%m}",
            "today": today,
        },
    )


# --- detail ----------------------------------------------------------------------------------
def _render_detail(
    request: HttpRequest,
    scope: Scope,
    meeting: Meeting,
    *,
    upload_form: DocumentUploadForm | None = None,
    link_form: EvidenceLinkForm | None = None,
    status: int = 200,
) -> HttpResponse:
    visible_links = EvidenceLink.objects.filter(
        scope.region_q("assessment__region")
    ).select_related("assessment__edition", "assessment__region", "indicator")
    attachments = list(
        meeting.attachments.select_related("document").prefetch_related(
            Prefetch("document__links", queryset=visible_links, to_attr="visible_links")
        )
    )
    can_edit = can_edit_meeting(scope, _region_ids(meeting))
    managed = set(_managed_region_ids(scope, meeting)) if can_edit else set()
    assessments = _linkable_assessments(scope, meeting) if can_edit else Assessment.objects.none()
    indicator_codes: list[str] = []
    if can_edit and attachments:
        link_form = link_form or EvidenceLinkForm(
            documents=meeting.documents.all(), assessments=assessments
        )
        indicator_codes = list(
            Indicator.objects.filter(edition__assessments__in=assessments)
            .order_by("code")
            .values_list("code", flat=True)
            .distinct()
        )
    followups = list(
        meeting.followups.select_related("owner_kind", "owner_opd", "region").order_by(
            "due_date", "pk"
        )
    )
    today = jakarta_today()
    for followup in followups:
        followup.is_late = followup.is_overdue(today)
        followup.can_edit = followup.region_id in managed
    context = {
        "meeting": meeting,
        "regions": list(meeting.regions.all()),
        "issues": list(meeting.issues.all()),
        "participations": list(
            Participation.objects.filter(meeting=meeting).select_related("kind")
        ),
        "attachments": attachments,
        "followups": followups,
        "can_edit": can_edit,
        "managed_region_ids": managed,
        "upload_form": upload_form or (DocumentUploadForm() if can_edit else None),
        "link_form": link_form if can_edit and attachments else None,
        "indicator_codes": indicator_codes,
    }
    return render(request, "sinergitas/meeting_detail.html", context, status=status)


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    meeting = _meeting_or_404(scope, pk)
    return _render_detail(request, scope, meeting)


# --- create / edit ---------------------------------------------------------------------------
@login_required
def meeting_create(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    if not can_create_meeting(scope):
        raise PermissionDenied(_("You may not record meetings."))
    form = MeetingForm(request.POST or None, scope=scope, instance=Meeting(created_by=request.user))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            meeting = form.save()
        messages.success(request, _("The meeting was saved."))
        return redirect("sinergitas:detail", pk=meeting.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "sinergitas/meeting_form.html", {"form": form, "meeting": None}, status=status
    )


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    meeting = _editable_meeting_or_error(scope, pk)
    form = MeetingForm(request.POST or None, scope=scope, instance=meeting)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, _("The meeting was saved."))
        return redirect("sinergitas:detail", pk=meeting.pk)
    status = 400 if form.is_bound else 200
    return render(
        request, "sinergitas/meeting_form.html", {"form": form, "meeting": meeting}, status=status
    )


# --- documents -------------------------------------------------------------------------------
@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    meeting = _editable_meeting_or_error(scope, pk)
    form = DocumentUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            with transaction.atomic():
                document = evidence.store_document(
                    form.cleaned_data["file"],
                    region=_document_region(scope, meeting),
                    title=form.cleaned_data["title"],
                    user=request.user,
                )
                try:
                    MeetingDocument.objects.create(
                        meeting=meeting,
                        document=document,
                        role=form.cleaned_data["role"],
                        created_by=request.user,
                    )
                except BaseException:
                    document.file.delete(save=False)
                    raise
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("The document was uploaded."))
            return redirect("sinergitas:detail", pk=meeting.pk)
    return _render_detail(request, scope, meeting, upload_form=form, status=400)


@login_required
def document_download(request: HttpRequest, pk: int, document_pk: int) -> FileResponse:
    scope = scope_for(request.user)
    meeting = _meeting_or_404(scope, pk)
    attachment = get_object_or_404(
        MeetingDocument.objects.select_related("document"), meeting=meeting, document_id=document_pk
    )
    document = attachment.document
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("The file is no longer available.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name or f"dokumen-{document.pk}",
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def document_remove(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """Detach a document from the meeting; the document and its indicator links stay."""
    scope = scope_for(request.user)
    meeting = _editable_meeting_or_error(scope, pk)
    attachment = get_object_or_404(MeetingDocument, meeting=meeting, document_id=document_pk)
    attachment.delete()
    messages.success(request, _("The document was removed from this meeting."))
    return redirect("sinergitas:detail", pk=meeting.pk)


# --- evidence links --------------------------------------------------------------------------
@login_required
@require_POST
def evidence_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Let one of the meeting's documents back an indicator (the same upload, no copy)."""
    scope = scope_for(request.user)
    meeting = _editable_meeting_or_error(scope, pk)
    form = EvidenceLinkForm(
        request.POST,
        documents=meeting.documents.all(),
        assessments=_linkable_assessments(scope, meeting),
    )
    if not form.is_valid():
        return _render_detail(request, scope, meeting, link_form=form, status=400)
    assessment = form.cleaned_data["assessment"]
    indicator = form.cleaned_data["indicator"]
    with transaction.atomic():
        EvidenceLink.objects.create(
            document=form.cleaned_data["document"],
            assessment=assessment,
            indicator=indicator,
            created_by=request.user,
        )
        fixes.record_changes(assessment, [indicator.code], request.user)
    messages.success(
        request,
        _("The document now backs %(code)s in %(assessment)s.")
        % {"code": indicator.code, "assessment": assessment},
    )
    return redirect("sinergitas:detail", pk=meeting.pk)


@login_required
@require_POST
def evidence_unlink(request: HttpRequest, pk: int, link_pk: int) -> HttpResponse:
    """Remove an indicator link of a meeting document; the document stays on the meeting."""
    scope = scope_for(request.user)
    meeting = _editable_meeting_or_error(scope, pk)
    link = get_object_or_404(
        EvidenceLink.objects.select_related("assessment", "indicator"),
        pk=link_pk,
        document__meeting_attachments__meeting=meeting,
        assessment__region_id__in=_managed_region_ids(scope, meeting),
    )
    if link.assessment.status in LOCKED:
        messages.error(
            request, _("The assessment is submitted or verified; its evidence cannot change.")
        )
        return redirect("sinergitas:detail", pk=meeting.pk)
    with transaction.atomic():
        link.delete()
        fixes.record_changes(link.assessment, [link.indicator.code], request.user)
    messages.success(request, _("The indicator link was removed; the document stays."))
    return redirect("sinergitas:detail", pk=meeting.pk)


# --- follow-ups ------------------------------------------------------------------------------
def _followup_form_page(
    request: HttpRequest, scope: Scope, meeting: Meeting, followup: FollowUp
) -> HttpResponse:
    form = FollowUpForm(request.POST or None, instance=followup, meeting=meeting, scope=scope)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The follow-up was saved."))
        return redirect(reverse("sinergitas:detail", args=[meeting.pk]) + "#tindak-lanjut")
    return render(
        request,
        "sinergitas/followup_form.html",
        {"form": form, "meeting": meeting, "followup": followup if followup.pk else None},
        status=400 if form.is_bound else 200,
    )


@login_required
def followup_create(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    meeting = _editable_meeting_or_error(scope, pk)
    return _followup_form_page(request, scope, meeting, FollowUp(meeting=meeting))


@login_required
def followup_edit(request: HttpRequest, pk: int, followup_pk: int) -> HttpResponse:
    scope = scope_for(request.user)
    meeting = _editable_meeting_or_error(scope, pk)
    followup = get_object_or_404(FollowUp, pk=followup_pk, meeting=meeting)
    if not scope.can_manage_region(followup.region_id):
        raise PermissionDenied(_("You may not change this follow-up."))
    return _followup_form_page(request, scope, meeting, followup)
