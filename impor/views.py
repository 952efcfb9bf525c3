"""Import pages under ``/impor/``: upload → preview → confirm, templates, exports, error files.

Admins import every resource here or in the Django admin; a koordinator imports ``nilai`` for
their own region here (any row of another region refuses the whole file). Exports and blank
templates hold only what ``scope_for(user)`` allows.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from impor import engine
from impor import templates as workbooks
from impor.exports import XLSX_CONTENT_TYPE, export_workbook
from impor.forms import ConfirmForm, UploadForm
from impor.models import ImportRecord
from impor.validation import IMPORTERS, Importer
from regions.scoping import scope_for

RECENT = 10


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
    return render(
        request,
        "impor/index.html",
        {"importers": importers, "exportable": exportable, "records": records[:RECENT]},
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
