"""The Kampung KB data-entry page: a filterable, paged table of a region's desa rows for a year.

The page lives at the shared assessment address ``/penilaian/kampung_kb/<region>/<year>/``;
``kampung_kb.urls`` routes it (and its evidence and workflow actions) to the shared views of
``penilaian.views`` with :func:`render_page` and :func:`save_desa_rows` plugged in. Scope,
workflow, evidence and history are the shared mechanism's; rows are written only through
``kampung_kb.services.save_desa_rows`` (validation, field ownership per OPD, locking, optimistic
concurrency, history).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kampung_kb import readiness, services
from kampung_kb.forms import (
    DESA_SEPARATOR,
    Column,
    DesaRowsForm,
    desa_columns,
    desa_field_name,
    desa_initial,
)
from kampung_kb.models import DesaRecord
from kampung_kb.readiness import DesaStatus
from penilaian import formatting
from penilaian.forms import UploadForm
from penilaian.models import Assessment
from penilaian.services import NON_FIELD_ERRORS, StaleAssessment
from penilaian.views import (
    HistoryEntry,
    PageData,
    Target,
    merge_history,
    page_data,
    saved_message,
    upload_form_for,
    user_name,
    workflow_context,
)

DESA_PAGE_SIZE = 25
DESA_STATUS_FILTERS: dict[str, Callable[[DesaStatus], bool]] = {
    "belum_ada_data": lambda s: s.row is None,
    "kampung_kb": lambda s: s.designated,
    "bukan_kampung_kb": lambda s: s.row is not None and not s.designated,
    "standar": lambda s: s.standar,
    "belum_standar": lambda s: s.designated and not s.standar,
    "cikar": lambda s: s.cikar,
}


def _forbidden_field() -> PermissionDenied:
    return PermissionDenied(_("This field belongs to another agency (OPD); you cannot change it."))


def _editable(target: Target, page: PageData, columns: Sequence[Column]) -> set[str]:
    """The desa fields this user may change (per the owner OPD of each Kampung KB criterion)."""
    assessment = target.assessment
    if assessment is None or assessment.is_locked:
        return set()
    editable = set()
    for name, *_rest in columns:
        criterion = services.FIELD_CRITERION.get(name, services.DEFAULT_CRITERION)
        if target.scope.can_edit_indicator(target.region, page.owners.get(criterion)):
            editable.add(name)
    return editable


def _filters(
    request: HttpRequest, statuses: list[DesaStatus]
) -> tuple[list[DesaStatus], dict[str, str]]:
    kecamatan = request.GET.get("kecamatan", "")
    status = request.GET.get("status", "")
    chosen = statuses
    if kecamatan:
        chosen = [s for s in chosen if s.code.startswith(kecamatan + ".")]
    if status in DESA_STATUS_FILTERS:
        chosen = [s for s in chosen if DESA_STATUS_FILTERS[status](s)]
    return chosen, {"kecamatan": kecamatan, "status": status}


def render_page(
    request: HttpRequest,
    target: Target,
    *,
    rows_form: DesaRowsForm | None = None,
    upload_form: UploadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The Kampung KB page: summary, a filterable table of desa rows, workflow, history."""
    region, edition, assessment = target.region, target.edition, target.assessment
    page = page_data(target)
    statuses = readiness.desa_statuses(region, assessment, edition.params)
    summary = readiness.region_summary(
        edition.params,
        len(statuses),
        [s.row for s in statuses if s.row is not None],
        desa_potensial=readiness.potensial_of(region.pk, edition.year),
        rules=edition.rules,
    )
    chosen, filters = _filters(request, statuses)
    page_obj = Paginator(chosen, DESA_PAGE_SIZE).get_page(request.GET.get("page"))
    columns = desa_columns()
    editable = _editable(target, page, columns)
    edit_columns = [column for column in columns if column[0] in editable]
    codes = [s.code for s in page_obj.object_list]
    if rows_form is None and assessment is not None and edit_columns:
        initial: dict[str, object] = {"version": assessment.version}
        for s in page_obj.object_list:
            for name, value in desa_initial(s.row).items():
                initial[desa_field_name(s.code, name)] = value
        rows_form = DesaRowsForm(desa_codes=codes, columns=edit_columns, initial=initial)
    rows = []
    for s in page_obj.object_list:
        shown = desa_initial(s.row)
        cells = []
        for name, _label, _kind, choices in columns:
            field_name = desa_field_name(s.code, name)
            bound = rows_form[field_name] if rows_form and field_name in rows_form.fields else None
            text = dict(choices).get(shown.get(name, ""), shown.get(name, "")) or "—"
            cells.append({"name": name, "field": bound, "text": text})
        rows.append({"status": s, "cells": cells, "reasons": page.reasons.get(s.code, [])})
    history = page.history
    if assessment is not None:
        history = merge_history(history, _history(assessment, columns))
    kecamatan = list(region.kecamatan.order_by("code").values_list("code", "name"))
    query = request.GET.copy()
    query.pop("page", None)
    context = workflow_context(target, page)
    context.update(
        {
            "frozen_template": "kampung_kb/_summary.html",
            "summary": summary,
            "rows": rows,
            "columns": columns,
            "rows_form": rows_form,
            "page_obj": page_obj,
            "filters": filters,
            "kecamatan_choices": kecamatan,
            "status_choices": [
                ("belum_ada_data", _("No data yet")),
                ("kampung_kb", _("Designated Kampung KB")),
                ("bukan_kampung_kb", _("Not designated")),
                ("standar", _("Standar")),
                ("belum_standar", _("Designated, not yet Standar")),
                ("cikar", _("Cikar")),
            ],
            "query": query.urlencode(),
            "upload_form": upload_form_for(target, page, upload_form),
            "history": history,
            "desa_count": len(chosen),
        }
    )
    return render(request, "kampung_kb/assessment_detail.html", context, status=status)


def save_desa_rows(request: HttpRequest, target: Target) -> HttpResponse:
    """POST of the page: save the changed desa rows, or show the page again with the errors."""
    scope, region, assessment = target.scope, target.region, target.assessment
    columns = desa_columns()
    editable = _editable(target, page_data(target), columns)
    all_names = {name for name, *_rest in columns}
    for key in request.POST:
        if DESA_SEPARATOR in key:
            name = key.rsplit(DESA_SEPARATOR, 1)[1]
            if name in all_names and name not in editable and not assessment.is_locked:
                raise _forbidden_field()
    statuses = {s.code: s for s in readiness.desa_statuses(region, assessment, {})}
    codes = [code for code in request.POST.getlist("desa") if code in statuses]
    edit_columns = [column for column in columns if column[0] in editable]
    initial: dict[str, object] = {}
    for code in codes:
        for name, value in desa_initial(statuses[code].row).items():
            initial[desa_field_name(code, name)] = value
    form = DesaRowsForm(request.POST, desa_codes=codes, columns=edit_columns, initial=initial)
    if not form.is_valid():
        return render_page(request, target, rows_form=form)
    try:
        result = services.save_desa_rows(
            assessment,
            form.changed_rows(),
            user=request.user,
            scope=scope,
            expected_version=form.cleaned_data["version"],
            reason=(request.POST.get("change_reason") or "").strip(),
        )
    except StaleAssessment as error:
        form.add_error(None, error.message)
        return render_page(request, target, rows_form=form, status=409)
    except services.InvalidRows as error:
        if error.forbidden:
            raise _forbidden_field() from None
        for code, fields in error.errors.items():
            for name, messages in fields.items():
                key = desa_field_name(code, name)
                for message in messages:
                    if key in form.fields:
                        form.add_error(key, message)
                    else:
                        prefix = "" if code == NON_FIELD_ERRORS else f"{code}: "
                        form.add_error(None, f"{prefix}{message}")
        status = 409 if NON_FIELD_ERRORS in error.errors else 200
        return render_page(request, target, rows_form=form, status=status)
    saved_message(request, result.changed)
    url = reverse("kampung_kb:assessment_detail", args=[region.code, target.edition.year])
    query = request.GET.urlencode()
    return redirect(url + (f"?{query}" if query else ""))


def _history(assessment: Assessment, columns: Sequence[Column]) -> list[HistoryEntry]:
    """Changes of the desa rows, field by field (1 query)."""
    labels = {name: label for name, label, *_rest in columns}
    labels["note"] = _("Note")
    entries: list[HistoryEntry] = []
    previous: dict[int, Any] = {}
    for record in (
        DesaRecord.history.filter(assessment_id=assessment.pk)
        .select_related("history_user", "desa")
        .order_by("history_date", "history_id")
    ):
        before = previous.get(record.id)
        previous[record.id] = record
        if before is not None and before.history_type == "-":
            before = None
        for name, label in labels.items():
            old = getattr(before, name, None) if before is not None else None
            new = None if record.history_type == "-" else getattr(record, name)
            if old == new or (before is None and new in (None, "", False, 0)):
                continue
            entries.append(
                HistoryEntry(
                    record.history_date,
                    user_name(record.history_user),
                    str(label),
                    f"{record.desa.code} {record.desa.name}",
                    _text(old),
                    _text(new),
                    record.history_change_reason or "",
                )
            )
    return entries


def _text(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        return formatting.number(value, get_language())
    return str(value)
