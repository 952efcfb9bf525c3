"""Accountability pages: per OPD who owes what (region and province), handover."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from akuntabilitas.forms import HandoverForm
from akuntabilitas.models import Handover, SentReminder, Stage
from akuntabilitas.queries import (
    OWNED_PROGRAMS,
    TASK_ROLES,
    calendar_overview,
    default_year,
    handover_candidates,
    my_tasks,
    opd_accountability,
)
from akuntabilitas.services import HandoverError, HandoverNotAllowed, handover
from penilaian.models import Edition
from regions.models import Region
from regions.scoping import scope_for


def _year(request: HttpRequest, regions) -> tuple[int | None, list[int], str]:
    """The requested year when it has an edition, else the default; and the years to offer."""
    years = sorted(
        set(Edition.objects.filter(program__in=OWNED_PROGRAMS).values_list("year", flat=True)),
        reverse=True,
    )
    raw = (request.GET.get("tahun") or "").strip()
    if raw:
        if raw.isdigit() and int(raw) in years:
            return int(raw), years, ""
        error = _("There is no edition for year %(year)s; showing the default year.") % {
            "year": raw[:10]
        }
        return default_year(regions), years, error
    return default_year(regions), years, ""


@require_GET
@login_required
def tasks(request: HttpRequest) -> HttpResponse:
    """ "Tugas saya": the landing page of operators and koordinators — what is still open for
    them (to fill, returned with reasons, evidence missing, to start or submit), each linked to
    its field on the entry form, with the current stage's deadline. Other roles have the
    province dashboard instead."""
    scope = scope_for(request.user)
    if scope.role not in TASK_ROLES:
        return redirect(reverse("dashboard:home"))
    data = my_tasks(scope, timezone.localdate())
    if data is None:
        raise Http404(_("No region in your scope."))
    return render(request, "akuntabilitas/tasks.html", {"tasks": data})


@require_http_methods(["GET", "POST"])
@login_required
def region_opd(request: HttpRequest, kode: str) -> HttpResponse:
    """Per OPD of one region: owned indicators filled / with evidence / returned / verified,
    contacts, gap items; the koordinator's (or admin's) handover form."""
    scope = scope_for(request.user)
    region = scope.get_region_or_404(kode)
    can_handover = scope.can_manage_region(region)
    candidates = list(handover_candidates(region)) if can_handover else []
    form = HandoverForm(request.POST or None, candidates=candidates) if can_handover else None
    status = 200
    if request.method == "POST":
        if not can_handover:
            raise PermissionDenied(_("Only the coordinator of the region can hand over duties."))
        if form.is_valid():
            try:
                done = handover(
                    region,
                    from_user=form.candidates[form.cleaned_data["from_user"]],
                    to_username=form.cleaned_data["to_username"],
                    reason=form.cleaned_data["reason"],
                    user=request.user,
                )
            except HandoverNotAllowed as error:
                raise PermissionDenied(error.message) from None
            except HandoverError as error:
                form.add_error(error.field, error.message)
                status = 400
            else:
                messages.success(
                    request,
                    _("Handed over from %(old)s to %(new)s.")
                    % {"old": done.from_user.get_username(), "new": done.to_user.get_username()},
                )
                return redirect(reverse("akuntabilitas:region_opd", args=[region.code]))
        else:
            status = 400
    regions = Region.objects.filter(pk=region.pk)
    year, years, year_error = _year(request, regions)
    data = opd_accountability(regions, year)[0] if year else None
    handovers = list(
        Handover.objects.filter(region=region).select_related(
            "from_user", "to_user", "done_by", "opd"
        )[:50]
    )
    return render(
        request,
        "akuntabilitas/opd_region.html",
        {
            "region": region,
            "year": year,
            "years": years,
            "year_error": year_error,
            "data": data,
            "form": form,
            "handovers": handovers,
        },
        status=status,
    )


@require_GET
@login_required
def province_opd(request: HttpRequest) -> HttpResponse:
    """Every region's OPD side by side (provincial roles); others go to their own region."""
    scope = scope_for(request.user)
    if not scope.is_provincial:
        region = scope.regions().first()
        if region is None:
            raise Http404(_("No region in your scope."))
        return redirect(reverse("akuntabilitas:region_opd", args=[region.code]))
    regions = scope.regions()
    year, years, year_error = _year(request, regions)
    data = opd_accountability(regions, year) if year else []
    return render(
        request,
        "akuntabilitas/opd_province.html",
        {"year": year, "years": years, "year_error": year_error, "data": data},
    )


def calendar_year(raw: str | None, today) -> tuple[int, list[int], str]:
    """The requested calendar year, else this year (or the latest year with stages)."""
    years = sorted(set(Stage.objects.values_list("year", flat=True)), reverse=True)
    raw = (raw or "").strip()
    if raw:
        if raw.isdigit() and int(raw) in years:
            return int(raw), years, ""
        error = _("There is no calendar for year %(year)s; showing the default year.") % {
            "year": raw[:10]
        }
    else:
        error = ""
    if today.year in years or not years:
        return today.year, years, error
    return years[0], years, error


@require_GET
@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    """The evaluation calendar of a year: stages per programme, the current one, days left,
    and the regions in scope that are "berisiko" before the current provincial deadline."""
    scope = scope_for(request.user)
    if scope.is_anonymous:
        raise Http404(_("No region in your scope."))
    today = timezone.localdate()
    year, years, year_error = calendar_year(request.GET.get("tahun"), today)
    return render(
        request,
        "akuntabilitas/calendar.html",
        {
            "year": year,
            "years": years,
            "year_error": year_error,
            "today": today,
            "programs": calendar_overview(scope.regions(), year, today),
        },
    )


@require_GET
@login_required
def sent_reminders(request: HttpRequest) -> HttpResponse:
    """What the reminders sent (provincial roles): newest first, 100 a page."""
    scope = scope_for(request.user)
    if not scope.is_provincial:
        raise PermissionDenied(_("Only provincial officers see the sent reminders."))
    page = Paginator(
        SentReminder.objects.select_related("user", "region", "stage").order_by(
            "-sent_on", "user__username", "item"
        ),
        100,
    ).get_page(request.GET.get("page"))
    return render(request, "akuntabilitas/sent_reminders.html", {"page": page})
