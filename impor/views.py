"""Import pages under ``/impor/``: upload → preview → confirm, templates, exports, error files.

Admins import every resource here or in the Django admin; a koordinator imports ``nilai`` for
their own region here (any row of another region refuses the whole file). Exports and blank
templates hold only what ``scope_for(user)`` allows. A file of ``IMPORT_JOB_ROWS`` rows or more
is previewed and applied by a worker (``impor.jobs``): the upload answers with its job page.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from impor import engine, jobs
from impor import templates as workbooks
from impor.exports import XLSX_CONTENT_TYPE, export_workbook
from impor.forms import ConfirmForm, UploadForm
from impor.models import ImportJob, ImportRecord
from impor.readers import FileRefused, precheck
from impor.validation import IMPORTERS, Importer
from regions.scoping import scope_for

RECENT = 10
JOB_LIST = 100


def _importer(resource: str) -> Importer:
    try:
        return IMPORTERS[resource]
    except KeyError:
        raise Http404(_("Unknown import type.")) from None


def _importer_for(request: HttpRequest, resource: str) -> Importer:
    importer = _importer(resource)
    if importer not in engine.importers_for(scope_for(request.user)):
        raise PermissionDenied(_("You may not import this data."))
    return importer


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def index(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    importers = engine.importers_for(scope)
    records = ImportRecord.objects.select_related("user", "region")
    if not scope.is_provincial:
        records = records.filter(region_id=scope.region_id) if scope.region_id else records.none()
    exportable = [] if scope.is_anonymous else list(IMPORTERS.values())
    recent_jobs = [
        jobs.as_seen(job) for job in jobs.visible(scope).select_related("user", "region")[:RECENT]
    ]
    return render(
        request,
        "impor/index.html",
        {
            "importers": importers,
            "exportable": exportable,
            "records": records[:RECENT],
            "jobs": recent_jobs,
            "is_admin": scope.is_admin,
        },
    )


@login_required
def upload(request: HttpRequest, resource: str) -> HttpResponse:
    importer = _importer_for(request, resource)
    outcome = None
    confirm_form = None
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        handle = form.cleaned_data["file"]
        data = b"".join(handle.chunks())
        try:
            rows = precheck(data, handle.name, importer.sheet)
        except FileRefused:
            rows = 0  # refused below by the preview, with the same message; no job
        if rows >= settings.IMPORT_JOB_ROWS:
            job = jobs.create(importer, data, handle.name, request.user, rows)
            return redirect("impor:job", pk=job.pk)
        outcome = engine.preview(importer.name, data, handle.name, request.user)
        engine.remember_error_file(request, outcome)
        if outcome.can_apply:
            token = engine.hold(request, outcome, data)
            confirm_form = ConfirmForm(initial={"token": token})
    return render(
        request,
        "impor/upload.html",
        {
            "importer": importer,
            "form": form,
            "outcome": outcome,
            "confirm_form": confirm_form,
            "scope": scope_for(request.user),
            "job_rows": settings.IMPORT_JOB_ROWS,
        },
    )


@login_required
@require_POST
def confirm(request: HttpRequest, resource: str) -> HttpResponse:
    importer = _importer_for(request, resource)
    form = ConfirmForm(request.POST)
    token = form.cleaned_data["token"] if form.is_valid() else ""
    held = engine.take(request, importer.name, token)
    if held is None:  # expired, another session's, or already confirmed (a double click)
        messages.error(request, engine.expired_message())
        return redirect("impor:upload", resource=importer.name)
    data, entry = held
    outcome = engine.apply(importer.name, data, entry["file_name"], request.user)
    if outcome.no_changes:  # the data changed since the preview: nothing left to do
        messages.info(request, engine.summary(outcome))
        return redirect("impor:index")
    if outcome.record is None:
        engine.remember_error_file(request, outcome)
        messages.error(request, engine.summary(outcome))
        return render(
            request,
            "impor/upload.html",
            {
                "importer": importer,
                "form": UploadForm(),
                "outcome": outcome,
                "scope": scope_for(request.user),
            },
        )
    messages.success(request, engine.summary(outcome))
    return redirect("impor:index")


@login_required
def blank_template(request: HttpRequest, resource: str) -> HttpResponse:
    importer = _importer_for(request, resource)
    data = workbooks.blank_template(importer.name, scope_for(request.user))
    return _xlsx(data, f"templat_{importer.name}.xlsx")


@login_required
def export(request: HttpRequest, resource: str) -> HttpResponse:
    """The resource's rows the user may see, in the import's columns."""
    importer = _importer(resource)
    scope = scope_for(request.user)
    if scope.is_anonymous:
        raise PermissionDenied(_("Your account has no role yet."))
    data = export_workbook(importer.name, scope)
    return _xlsx(data, f"{importer.name}_{timezone.localdate():%Y%m%d}.xlsx")


@login_required
def error_file(request: HttpRequest, token: str) -> HttpResponse:
    """The error file of one of this session's previews (nobody else's)."""
    if not engine.may_download(request, token):
        raise Http404(_("This error file has expired."))
    data = engine.load(token, suffix=".xlsx")
    if data is None:
        raise Http404(_("This error file has expired."))
    return _xlsx(data, "kesalahan_impor.xlsx")


# --- large files: worker jobs ---


def _job_for(request: HttpRequest, pk: int) -> ImportJob:
    """The job, if this user may see it (404 otherwise: another region's job does not exist),
    as a reader sees it (a stale running job reads "gagal"; stored as such only by a POST)."""
    if request.method == "POST":
        jobs.fail_stale()
    job = (
        jobs.visible(scope_for(request.user))
        .select_related("user", "region", "record")
        .filter(pk=pk)
        .first()
    )
    if job is None:
        raise Http404(_("No such import job."))
    return jobs.as_seen(job)


@login_required
def job(request: HttpRequest, pk: int) -> HttpResponse:
    """One job: its progress (the page refreshes itself while it runs), then its preview and
    the confirm button, its result, or why it failed and a retry button."""
    job = _job_for(request, pk)
    if job.error_token and not engine.may_download(request, job.error_token):
        engine.remember_error_file(request, job)  # the job's error file, for this session
    outcome = jobs.outcome(job) if job.state == ImportJob.State.SELESAI else None
    return render(
        request,
        "impor/job.html",
        {
            "job": job,
            "importer": _importer(job.resource),
            "outcome": outcome,
            "error_url": reverse("impor:errors", args=[job.error_token]) if job.error_token else "",
            "percent": jobs.percent(job),
            "elapsed": jobs.elapsed(job),
            "refresh": job.running,
            "can_confirm": jobs.can_confirm(job),
            "can_retry": job.state == ImportJob.State.GAGAL,
        },
    )


@login_required
@require_POST
def job_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    _importer_for(request, job.resource)
    if jobs.confirm(job):
        messages.info(request, _("The import is queued; this page shows its progress."))
    else:
        messages.error(request, _("This preview was already confirmed or cannot be imported."))
    return redirect("impor:job", pk=job.pk)


@login_required
@require_POST
def job_retry(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    _importer_for(request, job.resource)
    if jobs.retry(job):
        messages.info(request, _("The job is queued again."))
    elif job.state == ImportJob.State.GAGAL:
        messages.error(request, jobs.expired_message())
    else:
        messages.error(request, _("Only a failed job can be retried."))
    return redirect("impor:job", pk=job.pk)


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    """The admin's view of recent jobs (kind, user, state, rows, time, error)."""
    scope = scope_for(request.user)
    if not scope.is_admin:
        raise Http404(_("No such page."))
    now = timezone.now()
    recent = [
        jobs.as_seen(item, now)
        for item in jobs.visible(scope).select_related("user", "region")[:JOB_LIST]
    ]
    for item in recent:
        item.elapsed = jobs.elapsed(item, now)
    return render(request, "impor/jobs.html", {"jobs": recent})
