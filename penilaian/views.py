"""Data-entry pages: assessment list and page (values, evidence, workflow, history),
evidence download, owner reassignment and notifications.

Every object is found through the user's scope (``regions.scoping.scope_for``): another
region's assessment, document or owner page is "not found" (404). Changing an indicator owned
by another OPD is forbidden (403) and changes nothing. Values are written only through
``penilaian.services.save_values`` (validation, locking, optimistic concurrency, history).

This module renders the pages of the indicator programmes (APE, KLA). A programme app with
pages of its own (Kampung KB: a table of desa rows) routes its assessment addresses to the same
views and plugs in its page with the ``render_page`` and ``save_page`` view arguments (see
``kampung_kb.urls``); it builds that page from the shared pieces here (:func:`find_target`,
:func:`page_data`, :func:`workflow_context`, :func:`upload_form_for`, :class:`HistoryEntry`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import wraps
from typing import Any, Protocol

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from penilaian import fixes, formatting, workflow
from penilaian.evidence import document_date_warnings, documents_in_scope, store_document
from penilaian.forms import (
    CATEGORY_PREFIX,
    NOTE_PREFIX,
    OWNER_PREFIX,
    REASON_PREFIX,
    VALUE_PREFIX,
    OwnerForm,
    ReasonForm,
    ReturnForm,
    UploadForm,
    ValuesForm,
    initial_values,
    note_field_name,
    value_field_name,
)
from penilaian.models import (
    Answer,
    Assessment,
    Document,
    Edition,
    EvidenceLink,
    Indicator,
    IndicatorOwner,
    Notification,
    Program,
    ReturnCategory,
    ReturnReason,
    VerifiedSnapshot,
    WorkflowEvent,
)
from penilaian.notifications import mark_read
from penilaian.queries import (
    AssessmentData,
    current_year,
    load_assessments,
    load_catalog,
    load_owner_overrides,
)
from penilaian.scoring import Missing
from penilaian.services import (
    NON_FIELD_ERRORS,
    InvalidValues,
    StaleAssessment,
    missing_for,
    save_values,
    snapshot_data,
)
from penilaian.validity import assessment_period
from regions.models import Desa, Opd, OpdKind, Region
from regions.scoping import Scope, scope_for

Status = Assessment.Status
HISTORY_LIMIT = 300
# The programmes whose assessment pages this module renders (indicator answers).
PAGE_PROGRAMS = frozenset({Program.APE, Program.KLA})


# --- finding things in scope -----------------------------------------------------------------


@dataclass
class Target:
    """The assessment page's subject: region and edition in scope, and the assessment if any."""

    scope: Scope
    region: Region
    edition: Edition
    assessment: Assessment | None


def find_target(request: HttpRequest, program: str, region_code: str, year: int) -> Target:
    """Region in the user's scope and the programme's edition for the year; 404 otherwise."""
    scope = scope_for(request.user)
    if program not in Program.values:
        raise Http404(_("Unknown programme."))
    region = scope.get_region_or_404(region_code)
    edition = Edition.objects.filter(program=program, year=year).first()
    if edition is None:
        raise Http404(_("There is no edition of this programme for that year."))
    assessment = (
        Assessment.objects.select_related("edition", "region", "updated_by")
        .filter(edition=edition, region=region)
        .first()
    )
    return Target(scope, region, edition, assessment)


def _on_assessment(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """An action on a started assessment in scope: ``view(request, target, **options)``.

    The address gives programme, region and year (404 when out of scope or not started yet);
    the options are what a programme app's URLs pass (its ``render_page``, ``per_desa``).
    """

    @wraps(view)
    def action(
        request: HttpRequest, program: str, region_code: str, year: int, **options: Any
    ) -> HttpResponse:
        target = find_target(request, program, region_code, year)
        if target.assessment is None:
            raise Http404(_("This assessment has not been started yet."))
        return view(request, target, **options)

    return action


def _detail_url(target: Target) -> str:
    edition = target.edition
    return reverse(
        "penilaian:assessment_detail", args=[edition.program, target.region.code, edition.year]
    )


class PageRenderer(Protocol):
    """Renders an assessment page (after a failed action too, with its bound upload form)."""

    def __call__(
        self,
        request: HttpRequest,
        target: Target,
        *,
        upload_form: UploadForm | None = None,
        status: int = 200,
    ) -> HttpResponse: ...


PageSaver = Callable[[HttpRequest, Target], HttpResponse]


# --- the list ----------------------------------------------------------------------------------


@require_GET
@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    """Every programme × region in scope for a year, with the assessment's status.

    Without ``?tahun=`` it opens on the current evaluation year (``ProgramYear``).
    Queries: edition years, current years (without ``?tahun=``), editions of the year, regions
    in scope, assessments (constant, whatever the counts).
    """
    scope = scope_for(request.user)
    years = sorted(
        set(Edition.objects.order_by().values_list("year", flat=True).distinct()), reverse=True
    )
    try:
        year = int(request.GET.get("tahun") or 0)
    except ValueError:
        year = 0
    program = request.GET.get("program", "")
    if year not in years:
        # the current evaluation year the admin set, never "the newest year with data"
        year = current_year(program if program in Program.values else None, years) or 0
    if year not in years:
        this_year = timezone.localdate().year
        year = this_year if this_year in years else (years[0] if years else this_year)
    status = request.GET.get("status", "")
    region_code = request.GET.get("wilayah", "")

    editions = list(Edition.objects.filter(year=year).order_by("program"))
    if program in Program.values:
        editions = [edition for edition in editions if edition.program == program]
    regions = list(scope.regions())
    region_choices = regions
    if region_code:
        regions = [region for region in regions if region.code == region_code]
    found = {
        (a.edition_id, a.region_id): a
        for a in Assessment.objects.filter(
            edition__in=[e.pk for e in editions], region__in=[r.pk for r in regions]
        ).select_related("updated_by")
    }
    rows = []
    for region in regions:
        for edition in editions:
            assessment = found.get((edition.pk, region.pk))
            row_status = assessment.status if assessment else ""
            if status == "belum" and assessment is not None:
                continue
            if status in Status.values and row_status != status:
                continue
            rows.append(
                {
                    "region": region,
                    "edition": edition,
                    "assessment": assessment,
                    "status": row_status,
                    "status_label": Status(row_status).label if row_status else _("Not started"),
                    "url": reverse(
                        "penilaian:assessment_detail",
                        args=[edition.program, region.code, edition.year],
                    ),
                }
            )
    return render(
        request,
        "penilaian/assessment_list.html",
        {
            "rows": rows,
            "years": years,
            "year": year,
            "program": program,
            "programs": Program.choices,
            "status": status,
            "statuses": Status.choices,
            "region_code": region_code,
            "region_choices": region_choices,
            "can_manage": scope.is_admin or scope.role == "koordinator",
            "owner_region": (
                region_choices[0] if scope.region_id and len(region_choices) == 1 else None
            ),
        },
    )


# --- the assessment page ----------------------------------------------------------------------


@dataclass
class IndicatorRow:
    """One indicator as the page shows it."""

    indicator: Indicator
    owner_code: str | None
    owner_name: str
    editable: bool
    answer: Answer | None
    display_value: str
    links: list[EvidenceLink] = field(default_factory=list)
    reasons: list[ReturnReason] = field(default_factory=list)
    evidence_missing: bool = False
    value_field: Any = None
    note_field: Any = None


@dataclass
class HistoryEntry:
    """One line of the page's history: who, when, what, before, after, why."""

    when: Any
    who: str
    kind: str
    subject: str
    before: str
    after: str
    reason: str


@dataclass
class PageData:
    """What every assessment page loads (a constant number of queries)."""

    indicators: list[Indicator]
    kinds: dict[str, OpdKind]
    overrides: dict[str, str]
    owners: dict[str, str | None]
    links: dict[int, list[EvidenceLink]]
    reasons: dict[Any, list[ReturnReason]]
    frozen: VerifiedSnapshot | None
    events: list[WorkflowEvent]
    editable_codes: set[str]
    history: list[HistoryEntry]


def _display_value(indicator: Indicator, value: Decimal | None) -> str:
    if value is None:
        return "—"
    if indicator.kind == Indicator.Kind.YESNO:
        return _("Yes") if value == 1 else _("No")
    if indicator.kind == Indicator.Kind.LADDER:
        for option in indicator.options:
            if Decimal(str(option.get("points", "0"))) == value:
                return f"{option.get('label', '')} ({formatting.number(value, get_language())})"
        return formatting.number(value, get_language())
    if indicator.kind == Indicator.Kind.PERCENT and not indicator.unit:
        return formatting.percent(value, get_language())
    return f"{formatting.number(value, get_language())} {indicator.unit}".strip()


def user_name(user) -> str:
    """A user as the history shows them (full name, else username; "—" for nobody)."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def _status_label(status: str | None) -> str:
    return str(Status(status).label) if status in Status.values else "—"


@require_http_methods(["GET", "POST"])
@login_required
def assessment_detail(
    request: HttpRequest,
    program: str,
    region_code: str,
    year: int,
    *,
    render_page: PageRenderer | None = None,
    save_page: PageSaver | None = None,
) -> HttpResponse:
    """The assessment page; POST saves the values the user may change.

    ``render_page`` and ``save_page`` (given by a programme app's URLs) replace the indicator
    page of APE and KLA.
    """
    target = find_target(request, program, region_code, year)
    scope = target.scope
    if request.method == "POST" and not scope.can_edit_region(target.region):
        raise PermissionDenied(_("You cannot change the data of this region."))
    if target.assessment is None:
        # Opening a form never starts anything: starting is its own POST (assessment_start).
        if request.method == "POST":
            messages.error(
                request, _("This assessment has not been started yet; start it before saving.")
            )
            return render_not_started(request, target, status=409)
        return render_not_started(request, target)
    if request.method == "POST":
        return (save_page or _save_values)(request, target)
    return (render_page or render_indicator_page)(request, target)


def render_not_started(request: HttpRequest, target: Target, *, status: int = 200) -> HttpResponse:
    """The page of an assessment nobody has started: what starting does, and the start button
    for whoever may start it (the region's koordinator or the admin)."""
    from penilaian.carry import previous_verified

    can_start = target.scope.can_manage_region(target.region) and not target.region.is_province
    source = previous_verified(target.edition, target.region) if can_start else None
    return render(
        request,
        "penilaian/not_started.html",
        {
            "target": target,
            "region": target.region,
            "edition": target.edition,
            "assessment": None,
            "can_start": can_start,
            "source": source,
            "previous_year": target.edition.year - 1,
        },
        status=status,
    )


@require_POST
@login_required
def assessment_start(
    request: HttpRequest, program: str, region_code: str, year: int, **_options: Any
) -> HttpResponse:
    """Start a region's assessment for a year, carrying last year's verified values forward.

    An explicit decision of the region's koordinator (or the admin); an operator or a provincial
    reader gets 403, another region 404. Starting one that exists changes nothing.
    """
    from penilaian.carry import AssessmentExists, start_assessment

    target = find_target(request, program, region_code, year)
    if not target.scope.can_manage_region(target.region) or target.region.is_province:
        raise PermissionDenied(
            _("Only the coordinator of the region or the admin can start an assessment.")
        )
    try:
        report = start_assessment(target.edition, target.region, user=request.user)
    except AssessmentExists:
        messages.info(request, _("This assessment had already been started."))
        return redirect(_detail_url(target))
    if report.source is not None:
        messages.success(
            request,
            _(
                "Assessment started. %(count)s verified value(s) of %(year)s were carried over "
                "and are marked as carried over until someone changes them."
            )
            % {"count": len(report.carried), "year": report.previous_year},
        )
    else:
        messages.success(
            request,
            _("Assessment started. %(year)s has no verified assessment, so nothing was carried.")
            % {"year": report.previous_year},
        )
    return redirect(_detail_url(target))


def _forbidden_other_opd() -> PermissionDenied:
    return PermissionDenied(
        _("This indicator belongs to another agency (OPD); you cannot change it.")
    )


def _save_values(request: HttpRequest, target: Target) -> HttpResponse:
    scope, assessment = target.scope, target.assessment
    indicators = _indicators(target.edition)
    owners = _owner_codes(target.region, indicators)
    editable = [i for i in indicators if scope.can_edit_indicator(target.region, owners[i.code])]
    editable_codes = {i.code for i in editable}
    posted_codes = {
        key[len(prefix) :]
        for key in request.POST
        for prefix in (VALUE_PREFIX, NOTE_PREFIX)
        if key.startswith(prefix)
    }
    if (posted_codes & {i.code for i in indicators}) - editable_codes:
        raise _forbidden_other_opd()
    form = ValuesForm(request.POST, indicators=editable)
    if not form.is_valid():
        return render_indicator_page(request, target, values_form=form)
    # Only the fields actually posted are saved: a partial form never blanks other values.
    values = {c: v for c, v in form.values().items() if value_field_name(c) in request.POST}
    notes = {c: n for c, n in form.notes().items() if note_field_name(c) in request.POST}
    try:
        result = save_values(
            assessment,
            values,
            notes,
            user=request.user,
            scope=scope,
            expected_version=form.cleaned_data["version"],
            reason=(request.POST.get("change_reason") or "").strip(),
        )
    except StaleAssessment as error:
        form.add_error(None, error.message)
        return render_indicator_page(request, target, values_form=form, status=409)
    except InvalidValues as error:
        if error.forbidden:
            raise _forbidden_other_opd() from None
        form.add_value_errors({k: v for k, v in error.errors.items() if k != NON_FIELD_ERRORS})
        for message in error.errors.get(NON_FIELD_ERRORS, []):
            form.add_error(None, message)
        status = 409 if NON_FIELD_ERRORS in error.errors else 200
        return render_indicator_page(request, target, values_form=form, status=status)
    saved_message(request, result.changed)
    return redirect(_detail_url(target))


def saved_message(request: HttpRequest, changed: Collection[str]) -> None:
    """Tell the user how many values a save changed."""
    if changed:
        messages.success(
            request,
            _("Saved %(count)s change(s). The score below is up to date.")
            % {"count": len(changed)},
        )
    else:
        messages.info(request, _("Nothing changed."))


def _indicators(edition: Edition) -> list[Indicator]:
    return list(
        Indicator.objects.filter(edition=edition)
        .select_related("group", "owner_kind")
        .order_by("group__order", "order", "code")
    )


def _owner_codes(
    region: Region, indicators: list[Indicator], overrides: Mapping[str, str] | None = None
) -> dict[str, str | None]:
    """Owner OPD kind code per indicator code: the region's override, else the default."""
    if overrides is None:
        overrides = load_owner_overrides([region.pk]).get(region.pk, {})
    return {
        i.code: overrides.get(i.code, i.owner_kind.code if i.owner_kind_id else None)
        for i in indicators
    }


def page_data(target: Target) -> PageData:
    """Catalog, owners, evidence, reasons, snapshot, events and history of the page."""
    scope, region, assessment = target.scope, target.region, target.assessment
    indicators = _indicators(target.edition)
    kinds = {kind.code: kind for kind in OpdKind.objects.all()}
    overrides = load_owner_overrides([region.pk]).get(region.pk, {})
    owners = _owner_codes(region, indicators, overrides)
    links: dict[int, list[EvidenceLink]] = defaultdict(list)
    reasons: dict[Any, list[ReturnReason]] = defaultdict(list)
    frozen = None
    events: list[WorkflowEvent] = []
    history: list[HistoryEntry] = []
    if assessment is not None:
        for link in (
            EvidenceLink.objects.filter(assessment=assessment)
            .select_related("document")
            .order_by("pk")
        ):
            links[link.indicator_id].append(link)
        for reason in (
            ReturnReason.objects.filter(assessment=assessment, resolved=False)
            .select_related("created_by")
            .prefetch_related("categories")
        ):
            reasons[reason.desa_code or reason.indicator_id].append(reason)
        frozen = (
            VerifiedSnapshot.objects.filter(assessment=assessment)
            .select_related("verified_by")
            .first()
        )
        events = list(WorkflowEvent.objects.filter(assessment=assessment).select_related("user"))
        history = _common_history(assessment, region, indicators, events, kinds)
    editable_codes = {
        i.code
        for i in indicators
        if assessment is not None
        and not assessment.is_locked
        and scope.can_edit_indicator(region, owners[i.code])
    }
    return PageData(
        indicators,
        kinds,
        overrides,
        owners,
        links,
        reasons,
        frozen,
        events,
        editable_codes,
        history,
    )


def _with_owner_names(result: dict[str, Any] | None, kinds: dict[str, OpdKind]):
    """A score picture whose gap items also carry the owner OPD's short name."""
    if not result or "gap" not in result:
        return result
    items = [
        {**item, "owner_name": kinds[item["owner"]].short if item.get("owner") in kinds else "—"}
        for item in result["gap"].get("items", [])
    ]
    return {**result, "gap": {**result["gap"], "items": items}}


@dataclass
class ReturnedItem:
    """One returned indicator (or desa) at the top of the form: where it is, why, and whether
    someone changed it since the return."""

    code: str
    text: str
    anchor: str
    reasons: list[ReturnReason]
    changed: bool


@dataclass
class ReturnedNotice:
    """What the top of the form says about the open return round (no queries of its own)."""

    items: list[ReturnedItem]
    general: list[ReturnReason]
    hidden: int
    returned_by: Any
    returned_at: Any

    @property
    def changed_count(self) -> int:
        return sum(item.changed for item in self.items)


def returned_notice(target: Target, page: PageData) -> ReturnedNotice | None:
    """The returned items (in catalog order, with a link to each field) and the general note of
    the open round, from the reasons the page loaded; None when nothing is returned.

    An operator sees the indicators of their own OPD, like the form; the others are counted.
    """
    if not page.reasons:
        return None
    scope = target.scope
    items: list[ReturnedItem] = []
    hidden = 0
    for indicator in page.indicators:
        reasons = page.reasons.get(indicator.pk)
        if not reasons:
            continue
        if scope.role == "operator" and page.owners[indicator.code] != scope.opd_kind_code:
            hidden += 1
            continue
        items.append(
            ReturnedItem(
                indicator.code,
                indicator.text,
                f"#ind-{indicator.code}",
                reasons,
                all(r.changed_at for r in reasons),
            )
        )
    for key in sorted(k for k in page.reasons if isinstance(k, str)):
        reasons = page.reasons[key]
        items.append(
            ReturnedItem(
                key,
                _("Village %(code)s") % {"code": key},
                f"?kecamatan={key.rsplit('.', 1)[0]}#desa-{key}",
                reasons,
                all(r.changed_at for r in reasons),
            )
        )
    general = page.reasons.get(None, [])
    every = [r for rows in page.reasons.values() for r in rows]
    first = min(every, key=lambda r: (r.created_at, r.pk))
    return ReturnedNotice(items, general, hidden, first.created_by, first.created_at)


def workflow_context(target: Target, page: PageData) -> dict[str, Any]:
    """Context of the shared parts of every assessment page: header, workflow, evidence."""
    scope, assessment = target.scope, target.assessment
    submitter = next(
        (e.user_id for e in page.events if e.action == WorkflowEvent.Action.SUBMIT), None
    )
    by_id = {i.pk: i.code for i in page.indicators}
    period = assessment_period(target.edition.year, target.edition.params)
    link_rows = [
        {
            "link": link,
            "code": by_id.get(link.indicator_id, "—"),
            "can_unlink": by_id.get(link.indicator_id) in page.editable_codes,
            "warnings": document_date_warnings(link.document, period),
        }
        for link in sorted(
            (link for group_links in page.links.values() for link in group_links),
            key=lambda link: (link.document_id, link.pk),
        )
    ]
    return {
        "target": target,
        "region": target.region,
        "edition": target.edition,
        "assessment": assessment,
        "frozen": page.frozen,
        "frozen_data": _with_owner_names(page.frozen.data, page.kinds) if page.frozen else None,
        "history": page.history,
        "returned": returned_notice(target, page),
        "link_rows": link_rows,
        "can_submit": assessment is not None and workflow.can_submit(scope, assessment),
        "can_review": assessment is not None and workflow.can_review(scope, assessment, submitter),
        "submitted_by_me": assessment is not None
        and assessment.status == Status.SUBMITTED
        and submitter == scope.user_id
        and scope.can_verify,
        "can_unlock": assessment is not None and workflow.can_unlock(scope, assessment),
        "can_manage": scope.can_manage_region(target.region),
        "unlock_form": ReasonForm(),
    }


def upload_form_for(target: Target, page: PageData, form: UploadForm | None) -> UploadForm | None:
    """The evidence form for the indicators the user may change (None when there are none)."""
    editable = [i for i in page.indicators if i.code in page.editable_codes]
    if not editable:
        return None
    if form is not None:
        return form
    return UploadForm(
        documents=Document.objects.filter(region=target.region).order_by("-uploaded_at"),
        indicator_choices=[(i.code, f"{i.code} {i.text[:60]}") for i in editable],
    )


def render_indicator_page(
    request: HttpRequest,
    target: Target,
    *,
    values_form: ValuesForm | None = None,
    upload_form: UploadForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render an APE/KLA assessment page with a constant number of queries."""
    scope, assessment = target.scope, target.assessment
    page = page_data(target)
    answers: dict[int, Answer] = {}
    live = None
    history = page.history
    if assessment is not None:
        answers = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment)}
        catalog = load_catalog(target.edition)
        data = _assessment_data(assessment)
        live = _with_owner_names(snapshot_data(catalog, data, page.overrides), page.kinds)
        history = merge_history(history, _answer_history(assessment, page.indicators))
    editable = [i for i in page.indicators if i.code in page.editable_codes]
    if values_form is None and editable:
        values_form = ValuesForm(
            indicators=editable,
            initial=initial_values(editable, answers, assessment.version),
        )
    # An operator sees only the indicators of their own OPD.
    shown = [
        i
        for i in page.indicators
        if not (scope.role == "operator" and page.owners[i.code] != scope.opd_kind_code)
    ]
    groups: list[dict[str, Any]] = []
    for indicator in shown:
        answer = answers.get(indicator.pk)
        kind = page.kinds.get(page.owners[indicator.code] or "")
        row = IndicatorRow(
            indicator=indicator,
            owner_code=page.owners[indicator.code],
            owner_name=kind.short if kind else "—",
            editable=indicator.code in page.editable_codes,
            answer=answer,
            display_value=_display_value(indicator, answer.value if answer else None),
            links=page.links.get(indicator.pk, []),
            reasons=page.reasons.get(indicator.pk, []),
            evidence_missing=indicator.evidence_required and not page.links.get(indicator.pk),
        )
        if row.editable and values_form is not None:
            row.value_field = values_form[value_field_name(indicator.code)]
            row.note_field = values_form[note_field_name(indicator.code)]
        if not groups or groups[-1]["group"].pk != indicator.group_id:
            groups.append({"group": indicator.group, "rows": []})
        groups[-1]["rows"].append(row)
    context = workflow_context(target, page)
    context.update(
        {
            "groups": groups,
            "hidden_count": len(page.indicators) - len(shown),
            "values_form": values_form if editable else None,
            "upload_form": upload_form_for(target, page, upload_form),
            "live": live,
            "history": history,
            "evidence_missing": [
                i for i in page.indicators if i.evidence_required and not page.links.get(i.pk)
            ],
        }
    )
    return render(request, "penilaian/assessment_detail.html", context, status=status)


def _assessment_data(assessment: Assessment) -> AssessmentData:
    """Plain data of one assessment (values, evidence codes, snapshot info; 5 queries)."""
    edition = assessment.edition
    loaded = load_assessments(edition.program, [edition.year], [assessment.region_id])
    data = loaded.get(edition.program, assessment.region_id, edition.year)
    if data is None:  # deleted meanwhile
        raise Http404
    return data


def merge_history(*lists: list[HistoryEntry]) -> list[HistoryEntry]:
    """The entries of several histories, newest first, at most ``HISTORY_LIMIT``."""
    merged = [entry for entries in lists for entry in entries]
    merged.sort(key=lambda entry: entry.when, reverse=True)
    return merged[:HISTORY_LIMIT]


def _answer_history(assessment: Assessment, indicators: list[Indicator]) -> list[HistoryEntry]:
    """Value and note changes, before/after from consecutive records of each answer (1 query)."""
    by_id = {i.pk: i for i in indicators}
    entries: list[HistoryEntry] = []
    previous: dict[int, Any] = {}
    for record in (
        Answer.history.filter(assessment_id=assessment.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        before = previous.get(record.id)
        previous[record.id] = record
        indicator = by_id.get(record.indicator_id)
        if indicator is None:
            continue
        gone = record.history_type == "-"
        after_value, after_note = (None, "") if gone else (record.value, record.note)
        if before is None or before.history_type == "-":
            before_value, before_note = None, ""
        else:
            before_value, before_note = before.value, before.note
        who = user_name(record.history_user)
        reason = record.history_change_reason or ""
        if before_value != after_value:
            entries.append(
                HistoryEntry(
                    record.history_date,
                    who,
                    _("Value"),
                    indicator.code,
                    _display_value(indicator, before_value),
                    _display_value(indicator, after_value),
                    reason,
                )
            )
        if before_note != after_note:
            entries.append(
                HistoryEntry(
                    record.history_date,
                    who,
                    _("Note"),
                    indicator.code,
                    before_note or "—",
                    after_note or "—",
                    reason,
                )
            )
    return entries


def _common_history(
    assessment: Assessment,
    region: Region,
    indicators: list[Indicator],
    events: list[WorkflowEvent],
    kinds: dict[str, OpdKind],
) -> list[HistoryEntry]:
    """Evidence links, status and owner changes, newest first (4 queries)."""
    by_id = {i.pk: i for i in indicators}
    entries: list[HistoryEntry] = []

    link_records = list(
        EvidenceLink.history.filter(assessment_id=assessment.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    titles = dict(
        Document.objects.filter(pk__in={r.document_id for r in link_records}).values_list(
            "pk", "title"
        )
    )
    for record in link_records:
        indicator = by_id.get(record.indicator_id)
        title = titles.get(record.document_id, _("(deleted document)"))
        added = record.history_type != "-"
        entries.append(
            HistoryEntry(
                record.history_date,
                user_name(record.history_user),
                _("Evidence"),
                indicator.code if indicator else "—",
                "—" if added else title,
                title if added else "—",
                record.history_change_reason or "",
            )
        )

    # Status: the workflow events (with their full reasons) ...
    for event in events:
        entries.append(
            HistoryEntry(
                event.created_at,
                user_name(event.user),
                _("Status"),
                str(WorkflowEvent.Action(event.action).label),
                _status_label(event.from_status),
                _status_label(event.to_status),
                event.reason,
            )
        )
    # ... and status changes made elsewhere (e.g. in the admin), from the assessment's history.
    last_status = None
    for record in (
        Assessment.history.filter(id=assessment.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        if record.history_type == "+":
            entries.append(
                HistoryEntry(
                    record.history_date,
                    user_name(record.history_user),
                    _("Status"),
                    _("Started"),
                    "—",
                    _status_label(record.status),
                    record.history_change_reason or "",
                )
            )
        elif record.status != last_status and not any(
            e.to_status == record.status
            and abs(e.created_at - record.history_date) < timedelta(minutes=1)
            for e in events
        ):
            entries.append(
                HistoryEntry(
                    record.history_date,
                    user_name(record.history_user),
                    _("Status"),
                    "",
                    _status_label(last_status),
                    _status_label(record.status),
                    record.history_change_reason or "",
                )
            )
        last_status = record.status

    # Owner OPD of this edition's indicators in the region.
    defaults = {i.code: i.owner_kind.code if i.owner_kind_id else None for i in indicators}
    code_of_kind = {kind.pk: kind.code for kind in kinds.values()}
    current: dict[str, str | None] = {}
    for record in (
        IndicatorOwner.history.filter(region_id=region.pk, indicator_code__in=list(defaults))
        .select_related("history_user")
        .order_by("history_date", "history_id")
    ):
        code = record.indicator_code
        before = current.get(code, defaults.get(code))
        if record.history_type == "-":
            after = defaults.get(code)
        else:
            after = code_of_kind.get(record.owner_kind_id)
        current[code] = after
        entries.append(
            HistoryEntry(
                record.history_date,
                user_name(record.history_user),
                _("Owner agency"),
                code,
                kinds[before].short if before in kinds else "—",
                kinds[after].short if after in kinds else "—",
                record.history_change_reason or "",
            )
        )
    return merge_history(entries)


# --- evidence ----------------------------------------------------------------------------------


@require_POST
@login_required
@_on_assessment
def evidence_upload(
    request: HttpRequest, target: Target, *, render_page: PageRenderer = render_indicator_page
) -> HttpResponse:
    """Upload a document (or pick one of the region's) and link it to indicators."""
    scope, assessment = target.scope, target.assessment
    if not scope.can_edit_region(target.region):
        raise PermissionDenied(_("You cannot change the data of this region."))
    indicators = _indicators(target.edition)
    owners = _owner_codes(target.region, indicators)
    by_code = {i.code: i for i in indicators}
    chosen = [c for c in request.POST.getlist("indicators") if c in by_code]
    if any(not scope.can_edit_indicator(target.region, owners[c]) for c in chosen):
        raise PermissionDenied(
            _("This indicator belongs to another agency (OPD); you cannot change it.")
        )
    if assessment.is_locked:
        messages.error(request, _("This assessment is locked; evidence cannot be changed."))
        return render_page(request, target, status=409)
    editable = [i for i in indicators if scope.can_edit_indicator(target.region, owners[i.code])]
    form = UploadForm(
        request.POST,
        request.FILES,
        documents=Document.objects.filter(region=target.region),
        indicator_choices=[(i.code, i.code) for i in editable],
    )
    if not form.is_valid():
        return render_page(request, target, upload_form=form, status=400)
    with transaction.atomic():
        document = form.cleaned_data["document"]
        if document is None:
            try:
                document = store_document(
                    form.cleaned_data["file"],
                    region=target.region,
                    title=form.cleaned_data["title"],
                    user=request.user,
                    metadata=form.metadata(),
                )
            except ValidationError as error:
                form.add_error("file", error)
                return render_page(request, target, upload_form=form, status=400)
        elif form.metadata():
            # Metadata given for an existing document completes (or corrects) it.
            for name, value in form.metadata().items():
                setattr(document, name, value)
            if (
                document.issued_on
                and document.valid_until
                and document.valid_until < document.issued_on
            ):
                form.add_error(
                    "valid_until", _("The validity cannot end before the document date.")
                )
                return render_page(request, target, upload_form=form, status=400)
            document._change_reason = _("Document details completed")
            document.save()
        created = 0
        linked: list[str] = []
        for code in form.cleaned_data["indicators"]:
            _link, made = EvidenceLink.objects.get_or_create(
                document=document,
                assessment=assessment,
                indicator=by_code[code],
                defaults={"created_by": request.user},
            )
            created += made
            if made:
                linked.append(code)
        fixes.record_changes(assessment, linked, request.user)
    messages.success(
        request,
        _("Evidence “%(title)s” linked to %(count)s indicator(s).")
        % {"title": document.title, "count": created},
    )
    return redirect(_detail_url(target) + "#bukti")


@require_POST
@login_required
@_on_assessment
def evidence_unlink(
    request: HttpRequest,
    target: Target,
    *,
    pk: int,
    render_page: PageRenderer = render_indicator_page,
) -> HttpResponse:
    """Remove one evidence link (the document itself stays)."""
    scope = target.scope
    link = get_object_or_404(
        EvidenceLink.objects.select_related("indicator", "document"),
        pk=pk,
        assessment=target.assessment,
    )
    owners = _owner_codes(target.region, [link.indicator])
    if not scope.can_edit_indicator(target.region, owners[link.indicator.code]):
        raise PermissionDenied(
            _("This indicator belongs to another agency (OPD); you cannot change it.")
        )
    if target.assessment.is_locked:
        messages.error(request, _("This assessment is locked; evidence cannot be changed."))
        return render_page(request, target, status=409)
    with transaction.atomic():
        link.delete()
        fixes.record_changes(target.assessment, [link.indicator.code], request.user)
    messages.success(
        request,
        _("Evidence “%(title)s” removed from %(code)s.")
        % {"title": link.document.title, "code": link.indicator.code},
    )
    return redirect(_detail_url(target) + "#bukti")


@require_GET
@login_required
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    """Serve a document as an attachment, only within the user's scope."""
    document = get_object_or_404(documents_in_scope(scope_for(request.user)), pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- workflow ----------------------------------------------------------------------------------


def _workflow_error(
    request: HttpRequest,
    target: Target,
    error: workflow.WorkflowError,
    render_page: PageRenderer,
) -> HttpResponse:
    if isinstance(error, workflow.NotAllowed):
        raise PermissionDenied(error.message)
    messages.error(request, error.message)
    return render_page(request, target, status=error.status_code)


@dataclass
class CheckList:
    """What a submit or verify screen shows before the decision: completeness and what is
    missing, and (APE/KLA) every indicator with its value and evidence."""

    missing: Missing
    total: int
    unanswered: list[tuple[str, str]]
    evidence: list[tuple[str, str]]
    indicators: list[dict[str, Any]]
    is_desa: bool

    @property
    def answered(self) -> int:
        return self.total - len(self.unanswered)


def check_list(target: Target) -> CheckList:
    """The check list of a started assessment (a constant number of queries)."""
    assessment = target.assessment
    missing = missing_for(assessment)
    if target.edition.program not in PAGE_PROGRAMS:
        names = dict(
            Desa.objects.filter(region=target.region, code__in=missing.unanswered).values_list(
                "code", "name"
            )
        )
        total = Desa.objects.filter(region=target.region).count()
        return CheckList(
            missing,
            total,
            [(code, names.get(code, "")) for code in missing.unanswered],
            [],
            [],
            True,
        )
    indicators = _indicators(target.edition)
    texts = {i.code: i.text for i in indicators}
    answers = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment)}
    links: dict[int, list[EvidenceLink]] = defaultdict(list)
    for link in (
        EvidenceLink.objects.filter(assessment=assessment).select_related("document").order_by("pk")
    ):
        links[link.indicator_id].append(link)
    unanswered, no_evidence = set(missing.unanswered), set(missing.evidence)
    rows = [
        {
            "indicator": i,
            "value": _display_value(i, answers[i.pk].value if i.pk in answers else None),
            "carried_over": i.pk in answers and answers[i.pk].carried_over,
            "links": links.get(i.pk, []),
            "unanswered": i.code in unanswered,
            "evidence_missing": i.code in no_evidence,
        }
        for i in indicators
    ]
    return CheckList(
        missing,
        len(indicators),
        [(code, texts.get(code, "")) for code in missing.unanswered],
        [(code, texts.get(code, "")) for code in missing.evidence],
        rows,
        False,
    )


def _decision_page(
    request: HttpRequest, target: Target, action: str, *, error: str = "", status: int = 200
) -> HttpResponse:
    """The submit or verify screen: the check list and the confirmation form."""
    scope, assessment = target.scope, target.assessment
    if action == "submit":
        allowed = workflow.can_submit(scope, assessment)
        url_name = "penilaian:assessment_submit"
    else:
        allowed = workflow.can_review(scope, assessment, workflow.submitter_id(assessment))
        url_name = "penilaian:assessment_verify"
    edition = target.edition
    return render(
        request,
        "penilaian/assessment_decide.html",
        {
            "target": target,
            "assessment": assessment,
            "action": action,
            "allowed": allowed,
            "checks": check_list(target),
            "error": error,
            "note": request.POST.get("note", ""),
            "confirm_reason": request.POST.get("confirm_reason", ""),
            "action_url": reverse(
                url_name, args=[edition.program, target.region.code, edition.year]
            ),
            "detail_url": _detail_url(target),
        },
        status=status,
    )


def _decide(
    request: HttpRequest, target: Target, action: str, render_page: PageRenderer
) -> HttpResponse:
    """GET: the check list; POST: submit or verify (a reason is needed when anything is missing)."""
    if request.method == "GET":
        if action == "submit" and not target.scope.can_manage_region(target.region):
            raise PermissionDenied(
                _("Only the coordinator of the region can submit this assessment.")
            )
        if action == "verify" and not target.scope.can_verify:
            raise PermissionDenied(
                _("Only a provincial verifier can verify or return an assessment.")
            )
        return _decision_page(request, target, action)
    step = workflow.submit if action == "submit" else workflow.verify
    try:
        step(
            target.assessment,
            user=request.user,
            note=request.POST.get("note", ""),
            confirm_reason=request.POST.get("confirm_reason", ""),
        )
    except workflow.Incomplete as error:
        return _decision_page(request, target, action, error=error.message, status=409)
    except workflow.WorkflowError as error:
        return _workflow_error(request, target, error, render_page)
    if action == "submit":
        messages.success(request, _("Submitted for verification. The assessment is now locked."))
    else:
        messages.success(request, _("Verified. The score as verified has been frozen."))
    return redirect(_detail_url(target))


@require_http_methods(["GET", "POST"])
@login_required
@_on_assessment
def assessment_submit(
    request: HttpRequest, target: Target, *, render_page: PageRenderer = render_indicator_page
) -> HttpResponse:
    """The koordinator sends the assessment for verification (GET: what is still missing)."""
    return _decide(request, target, "submit", render_page)


@require_http_methods(["GET", "POST"])
@login_required
@_on_assessment
def assessment_verify(
    request: HttpRequest, target: Target, *, render_page: PageRenderer = render_indicator_page
) -> HttpResponse:
    """A verifikator verifies: the assessment is locked and its score frozen (GET: completeness
    and every indicator's evidence)."""
    return _decide(request, target, "verify", render_page)


@require_http_methods(["GET", "POST"])
@login_required
@_on_assessment
def assessment_return(
    request: HttpRequest, target: Target, *, per_desa: bool = False
) -> HttpResponse:
    """A verifikator returns the assessment with a reason for each returned indicator.

    With ``per_desa`` (a programme of desa rows, given by its URLs) the reasons are per desa.
    """
    scope, assessment = target.scope, target.assessment
    if not scope.can_verify:
        raise PermissionDenied(_("Only a provincial verifier can verify or return an assessment."))
    allowed = workflow.can_review(scope, assessment, workflow.submitter_id(assessment))
    if per_desa:
        desa = list(
            Desa.objects.filter(region=target.region)
            .order_by("code")
            .values_list("code", "name", "kecamatan__name")
        )
        items = [(code, f"{code} {name}") for code, name, _kec in desa]
        shown = [(code, f"{name} ({kec})", "") for code, name, kec in desa]
        by_code: dict[str, Indicator] = {}
        documents: dict[str, list[dict[str, Any]]] = {}
    else:
        indicators = _indicators(target.edition)
        answers = {a.indicator_id: a for a in Answer.objects.filter(assessment=assessment)}
        by_code = {i.code: i for i in indicators}
        items = [(i.code, f"{i.code} {i.text[:80]}") for i in indicators]
        shown = [
            (
                i.code,
                i.text,
                _display_value(i, answers[i.pk].value if i.pk in answers else None),
            )
            for i in indicators
        ]
        documents = _documents_with_warnings(target, indicators)
    categories = list(ReturnCategory.objects.filter(active=True))
    form = ReturnForm(request.POST or None, items=items, categories=categories)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                workflow.return_assessment(
                    assessment,
                    user=request.user,
                    items=[
                        workflow.ReturnItem(
                            reason=text,
                            indicator=by_code.get(code),
                            desa_code="" if code in by_code else code,
                            categories=codes,
                        )
                        for code, (codes, text) in form.reasons().items()
                    ],
                    note=form.cleaned_data.get("note", ""),
                )
            except workflow.WorkflowError as error:
                if isinstance(error, workflow.NotAllowed):
                    raise PermissionDenied(error.message) from None
                form.add_error(None, error.message)
                status = error.status_code
            else:
                messages.success(request, _("Returned to the region with your reasons."))
                return redirect(_detail_url(target))
        else:
            status = 400
    rows = [
        {
            "code": code,
            "text": text,
            "value": value,
            "field": form[f"{REASON_PREFIX}{code}"],
            "categories": form[f"{CATEGORY_PREFIX}{code}"],
            "documents": documents.get(code, []),
        }
        for code, text, value in shown
    ]
    return render(
        request,
        "penilaian/assessment_return.html",
        {
            "target": target,
            "assessment": assessment,
            "form": form,
            "rows": rows,
            "allowed": allowed,
            "detail_url": _detail_url(target),
            "is_desa": per_desa,
        },
        status=status,
    )


def _documents_with_warnings(
    target: Target, indicators: list[Indicator]
) -> dict[str, list[dict[str, Any]]]:
    """Per indicator code, its linked documents with their date warnings (one query)."""
    by_id = {i.pk: i.code for i in indicators}
    period = assessment_period(target.edition.year, target.edition.params)
    result: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for link in (
        EvidenceLink.objects.filter(assessment=target.assessment)
        .select_related("document")
        .order_by("pk")
    ):
        result[by_id.get(link.indicator_id, "")].append(
            {"document": link.document, "warnings": document_date_warnings(link.document, period)}
        )
    return result


@require_POST
@login_required
@_on_assessment
def assessment_unlock(
    request: HttpRequest, target: Target, *, render_page: PageRenderer = render_indicator_page
) -> HttpResponse:
    """Admin only: reopen a verified or submitted assessment, with a reason."""
    if not target.scope.is_admin:
        raise PermissionDenied(_("Only the provincial admin can unlock an assessment."))
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A reason is required to unlock an assessment."))
        return render_page(request, target, status=400)
    try:
        workflow.unlock(
            target.assessment,
            user=request.user,
            reason=form.cleaned_data["reason"],
            to_status=form.cleaned_data["to_status"],
        )
    except workflow.WorkflowError as error:
        return _workflow_error(request, target, error, render_page)
    messages.success(
        request, _("Unlocked. The score as verified stays as it was frozen at verification.")
    )
    return redirect(_detail_url(target))


# --- owner OPD per indicator ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def owner_list(request: HttpRequest, region_code: str):
    """Which OPD owns each indicator in the region; the koordinator (or admin) reassigns."""
    scope = scope_for(request.user)
    region = scope.get_region_or_404(region_code)
    program = request.GET.get("program") or Program.APE
    if program not in Program.values:
        program = Program.APE
    edition = (
        Edition.objects.filter(program=program, year__lte=timezone.localdate().year)
        .order_by("-year")
        .first()
        or Edition.objects.filter(program=program).order_by("-year").first()
    )
    if edition is None:
        raise Http404(_("There is no edition of this programme."))
    indicators = _indicators(edition)
    owners = _owner_codes(region, indicators)
    kinds = list(
        OpdKind.objects.filter(pk__in=Opd.objects.filter(region=region).values("kind_id")).order_by(
            "short"
        )
    )
    by_code = {kind.code: kind for kind in kinds}
    current = {code: (by_code[k].pk if k in by_code else None) for code, k in owners.items()}
    can_change = scope.can_manage_region(region)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied(_("Only the coordinator of the region can reassign owners."))
        form = OwnerForm(request.POST, indicators=indicators, kinds=kinds, current=current)
        if form.is_valid():
            changed = _apply_owners(region, indicators, form.owners(), current, form)
            if changed is not None:
                if changed:
                    messages.success(
                        request,
                        _("Owner agency changed for %(count)s indicator(s).") % {"count": changed},
                    )
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect(
                    reverse("penilaian:owner_list", args=[region.code]) + f"?program={program}"
                )
    else:
        form = OwnerForm(indicators=indicators, kinds=kinds, current=current)
    kind_names = {kind.code: kind.short for kind in OpdKind.objects.all()}
    rows = [
        {
            "indicator": i,
            "default": kind_names.get(i.owner_kind.code, "—") if i.owner_kind_id else "—",
            "current": kind_names.get(owners[i.code] or "", "—"),
            "field": form[f"{OWNER_PREFIX}{i.code}"],
            "overridden": (owners[i.code] != (i.owner_kind.code if i.owner_kind_id else None)),
        }
        for i in indicators
    ]
    return render(
        request,
        "penilaian/owner_list.html",
        {
            "region": region,
            "edition": edition,
            "program": program,
            "programs": Program.choices,
            "form": form,
            "rows": rows,
            "can_change": can_change,
        },
    )


def _apply_owners(region, indicators, wanted, current, form) -> int | None:
    """Store the changed owners with history; None (and a form error) when no reason is given."""
    changes = {code: kind for code, kind in wanted.items() if current.get(code) != kind}
    if not changes:
        return 0
    reason = (form.cleaned_data.get("reason") or "").strip()
    if not reason:
        form.add_error("reason", _("Give the reason for the change."))
        return None
    defaults = {i.code: i.owner_kind_id for i in indicators}
    existing = {
        o.indicator_code: o
        for o in IndicatorOwner.objects.filter(region=region, indicator_code__in=list(changes))
    }
    with transaction.atomic():
        for code, kind_id in changes.items():
            owner = existing.get(code)
            if kind_id == defaults.get(code):
                if owner is not None:
                    owner._change_reason = reason
                    owner.delete()
                continue
            if owner is None:
                owner = IndicatorOwner(region=region, indicator_code=code)
            owner.owner_kind_id = kind_id
            owner._change_reason = reason
            owner.save()
    return len(changes)


# --- notifications ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def notification_list(request: HttpRequest):
    """The user's notifications, newest first; POST marks them (or one) read."""
    if request.method == "POST":
        ids = request.POST.getlist("id")
        count = mark_read(request.user, [int(i) for i in ids if i.isdigit()] if ids else None)
        messages.success(request, _("%(count)s notification(s) marked read.") % {"count": count})
        return redirect("penilaian:notification_list")
    page = Paginator(
        Notification.objects.filter(user_id=request.user.pk).order_by("-created_at", "-pk"), 50
    ).get_page(request.GET.get("page"))
    return render(request, "penilaian/notification_list.html", {"page": page})


@require_POST
@login_required
def notification_open(request: HttpRequest, pk: int):
    """Mark one notification read and go to its page."""
    notification = get_object_or_404(Notification, pk=pk, user_id=request.user.pk)
    mark_read(request.user, [notification.pk])
    url = notification.url
    if not url or not url_has_allowed_host_and_scheme(url, {request.get_host()}):
        url = reverse("penilaian:notification_list")
    return redirect(url)
