"""API v1 (contract §5): regions, indicators, readiness, assessments, awards, meetings.

Every endpoint goes through the scoping helper (``regions.scoping.scope_for``): out of scope is
404, not allowed is 403, never someone else's data. Lists are read with a constant number of
queries and serialised from plain data (``values()`` rows, the readiness dataclasses); the
serializers in :mod:`api.serializers` describe the same shapes for the OpenAPI schema.

Writes (PATCH of an assessment) go through the programmes' single write paths,
``penilaian.services.save_values`` and ``kampung_kb.services.save_desa_rows``: validated as a
whole, all or nothing, optimistic concurrency on the assessment's ``version``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
)
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api import serializers as s
from api.exceptions import (
    Conflict,
    PreconditionFailed,
    PreconditionRequired,
    api_exception_handler,
)
from api.filters import (
    AwardParams,
    IndicatorParams,
    MeetingParams,
    ReadinessParams,
    RegionParams,
    query_params,
)
from api.pagination import ApiPagination
from api.parsers import ApiJSONParser
from api.permissions import HasRole
from api.schema import (
    ASSESSMENT_PARAMS,
    ERROR_401,
    ERROR_403,
    ERROR_404,
    ERROR_412,
    ERROR_413,
    ERROR_428,
    ERROR_429,
    ETAG_HEADER,
    IF_MATCH,
    INDICATOR_EXAMPLES,
    LOCKED_409,
    PATCH_400,
    PATCH_EXAMPLES,
    READINESS_EXAMPLES,
    REGION_EXAMPLES,
    list_responses,
    path_param,
)
from dashboard.readiness import (
    KampungKbReadiness,
    NoEdition,
    ProgramReadiness,
    readiness_summaries,
)
from kampung_kb.models import DesaRecord
from kampung_kb.readiness import (
    ROW_FIELDS,
    desa_row,
    desa_totals,
    potensial_of,
    region_summary,
)
from kampung_kb.scoring import RegionSummary
from kampung_kb.services import (
    DEFAULT_CRITERION,
    FIELD_CRITERION,
    FIELDS,
    InvalidRows,
    save_desa_rows,
)
from kla.readiness import kla_result
from kla.scoring import KlaResult
from penilaian.models import (
    Assessment,
    AwardResult,
    Edition,
    EvidenceLink,
    Indicator,
    Program,
)
from penilaian.queries import (
    CatalogData,
    load_assessments,
    load_catalog,
    load_owner_overrides,
)
from penilaian.scoring import Level, award_standing, number_state
from penilaian.services import (
    InvalidValues,
    StaleAssessment,
    get_or_create_assessment,
    save_values,
)
from prasyarat.readiness import ape_result
from prasyarat.scoring import ApeResult
from regions.models import Region
from regions.scoping import Scope, scope_for
from sinergitas.models import FollowUp, Meeting, Participation, jakarta_today
from sinergitas.queries import PROGRAMME_FIELD, MeetingFilters, filter_meetings, visible_meetings

PROGRAM_ORDER = {program: index for index, program in enumerate(Program.values)}

# --- base view --------------------------------------------------------------------------------


class ApiView(GenericAPIView):
    """Token (first, so a missing login answers 401) or session auth, a role, paginated lists.

    JSON only: the interactive documentation at ``/api/docs/`` replaces DRF's browsable API.
    """

    renderer_classes = [JSONRenderer]
    parser_classes = [ApiJSONParser]
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [HasRole]
    pagination_class = ApiPagination

    def get_exception_handler(self):
        return api_exception_handler

    @property
    def scope(self) -> Scope:
        return scope_for(self.request.user)

    def paginated(self, rows: QuerySet | list) -> Response:
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(list(page) if page is not None else list(rows))


# --- plain data -------------------------------------------------------------------------------


def _name(level: Level | None) -> str | None:
    return level.name if level else None


def ape_data(result: ApeResult | None, status: str | None) -> dict[str, Any]:
    """The ``ape`` block of contract §5 (nulls when the region has no assessment)."""
    if result is None:
        return {
            "score": None,
            "max_score": None,
            "category": None,
            "next_category": None,
            "points_to_next": None,
            "status": status,
            "provisional": False,
            "provisional_rules": [],
            "prerequisites": [],
        }
    return {
        "score": result.score,
        "max_score": result.max_score,
        "category": _name(result.category),
        "next_category": _name(result.next_category),
        "points_to_next": result.points_to_next,
        "status": status,
        "provisional": result.provisional,
        "provisional_rules": list(result.provisional_rules),
        "prerequisites": [
            {
                "code": item.code,
                "score": item.score,
                "max_score": item.max_score,
                "state": str(item.state),
            }
            for item in result.prerequisites
        ],
    }


def kla_data(result: KlaResult | None, status: str | None) -> dict[str, Any]:
    """The ``kla`` block of contract §5 (nulls when the region has no assessment)."""
    if result is None:
        return {
            "score": None,
            "predicate": None,
            "next_predicate": None,
            "points_to_next": None,
            "status": status,
            "provisional": False,
            "provisional_rules": [],
            "groups": [],
        }
    return {
        "score": result.score,
        "predicate": _name(result.predicate),
        "next_predicate": _name(result.next_predicate),
        "points_to_next": result.points_to_next,
        "status": status,
        "provisional": result.provisional,
        "provisional_rules": list(result.provisional_rules),
        "groups": [
            {"code": group.code, "score": group.score, "max_score": group.max_score}
            for group in result.groups
        ],
    }


def kampung_kb_data(summary: RegionSummary | None, status: str | None) -> dict[str, Any]:
    """The ``kampung_kb`` block of contract §5 (nulls when the region has no assessment)."""
    if summary is None:
        return {
            "desa_total": None,
            "kampung_kb": None,
            "standar": None,
            "cikar": None,
            "persen_kampung_kb": None,
            "desa_potensial": None,
            "status": status,
            "provisional": False,
            "provisional_rules": [],
        }
    return {
        "desa_total": summary.desa_total,
        "kampung_kb": summary.kampung_kb,
        "standar": summary.standar,
        "cikar": summary.cikar,
        "persen_kampung_kb": summary.persen_kampung_kb,
        "desa_potensial": summary.target_base,
        "status": status,
        "provisional": summary.provisional,
        "provisional_rules": list(summary.provisional_rules),
    }


def state_data(part: ProgramReadiness | KampungKbReadiness) -> dict[str, Any]:
    """The state of a programme block's numbers: ``state``, ``incomplete``, ``verified_at``."""
    return {
        "state": part.state,
        "incomplete": bool(part.incomplete),
        "verified_at": part.verified_at,
    }


def readiness_data(row) -> dict[str, Any]:
    """One readiness row (a ``dashboard.readiness.RegionReadiness``) as contract §5 data, each
    programme block with the state of its numbers (:func:`state_data`)."""
    ape: ProgramReadiness = row.ape
    kla: ProgramReadiness = row.kla
    kkb: KampungKbReadiness = row.kampung_kb
    return {
        "region": row.region_code,
        "region_name": row.region_name,
        "year": row.year,
        "ape": {
            **ape_data(ape.result if isinstance(ape.result, ApeResult) else None, ape.status),
            **state_data(ape),
        },
        "kla": {
            **kla_data(kla.result if isinstance(kla.result, KlaResult) else None, kla.status),
            **state_data(kla),
        },
        "kampung_kb": {**kampung_kb_data(kkb.summary, kkb.status), **state_data(kkb)},
    }


# The same blocks from the stored summary JSON (``dashboard.store.summaries``: numbers as
# strings, levels as dicts) without building the dataclasses — the readiness list over every
# kab/kota. tests/test_api_lists.py checks that both forms give the same response.


def _stored_decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _stored_name(level: Mapping[str, Any] | None) -> str | None:
    return level["name"] if level else None


def ape_stored(result: Mapping[str, Any] | None, status: str | None) -> dict[str, Any]:
    if result is None or result.get("__type__") != ApeResult.__name__:
        return ape_data(None, status)
    return {
        "score": Decimal(result["score"]),
        "max_score": Decimal(result["max_score"]),
        "category": _stored_name(result["category"]),
        "next_category": _stored_name(result["next_category"]),
        "points_to_next": _stored_decimal(result["points_to_next"]),
        "status": status,
        "provisional": bool(result["provisional_rules"]),
        "provisional_rules": list(result["provisional_rules"]),
        "prerequisites": [
            {
                "code": item["code"],
                "score": Decimal(item["score"]),
                "max_score": Decimal(item["max_score"]),
                "state": item["state"],
            }
            for item in result["prerequisites"]
        ],
    }


def kla_stored(result: Mapping[str, Any] | None, status: str | None) -> dict[str, Any]:
    if result is None or result.get("__type__") != KlaResult.__name__:
        return kla_data(None, status)
    return {
        "score": Decimal(result["score"]),
        "predicate": _stored_name(result["predicate"]),
        "next_predicate": _stored_name(result["next_predicate"]),
        "points_to_next": _stored_decimal(result["points_to_next"]),
        "status": status,
        "provisional": bool(result["provisional_rules"]),
        "provisional_rules": list(result["provisional_rules"]),
        "groups": [
            {
                "code": group["code"],
                "score": Decimal(group["score"]),
                "max_score": Decimal(group["max_score"]),
            }
            for group in result["groups"]
        ],
    }


def kampung_kb_stored(summary: Mapping[str, Any] | None, status: str | None) -> dict[str, Any]:
    if summary is None:
        return kampung_kb_data(None, status)
    potensial = summary["desa_potensial"]
    return {
        "desa_total": summary["desa_total"],
        "kampung_kb": summary["kampung_kb"],
        "standar": summary["standar"],
        "cikar": summary["cikar"],
        "persen_kampung_kb": Decimal(summary["persen_kampung_kb"]),
        "desa_potensial": summary["desa_total"] if potensial is None else potensial,
        "status": status,
        "provisional": bool(summary["provisional_rules"]),
        "provisional_rules": list(summary["provisional_rules"]),
    }


def _stored_verified_at(data: Mapping[str, Any] | None, status: str | None):
    snapshot = data and data.get("snapshot")
    if status != Assessment.Status.VERIFIED or not snapshot:
        return None
    return datetime.datetime.fromisoformat(snapshot["verified_at"])


def _live_verified_at(assessment: Assessment) -> datetime.datetime | None:
    """When a verified assessment was verified (its newest snapshot); None otherwise."""
    if assessment.status != Assessment.Status.VERIFIED:
        return None
    return assessment.snapshots.values_list("verified_at", flat=True).first()


def program_state_stored(data: Mapping[str, Any] | None, status: str | None) -> dict[str, Any]:
    """:func:`state_data` of an APE/KLA block from its stored summary: the live ``status`` with
    the stored completeness, carried-over codes, missing-evidence count and snapshot date (the
    same rule, ``penilaian.scoring.number_state``, as ``ProgramReadiness``)."""
    done = data and data.get("completeness")
    state = number_state(
        status,
        answered=done["answered"] if done else 0,
        carried=len(data.get("carried_over") or ()) if data else 0,
    )
    incomplete = bool(done) and (
        done["answered"] < done["total"] or (data.get("evidence_missing") or 0) > 0
    )
    return {
        "state": str(state) if state else None,
        "incomplete": incomplete,
        "verified_at": _stored_verified_at(data, status),
    }


def kampung_kb_state_stored(data: Mapping[str, Any] | None, status: str | None) -> dict[str, Any]:
    """:func:`state_data` of a Kampung KB block from its stored summary."""
    state = number_state(status)
    summary = data and data.get("summary")
    incomplete = bool(summary) and (data.get("desa_with_data") or 0) < summary["desa_total"]
    return {
        "state": str(state) if state else None,
        "incomplete": incomplete,
        "verified_at": _stored_verified_at(data, status),
    }


def readiness_stored(region, year: int, parts) -> dict[str, Any]:
    """One region's row of contract §5 from its stored summaries (``readiness_summaries``),
    each programme block with the state of its numbers derived from the summary and the live
    status, as :func:`readiness_data` gives it."""
    ape_status, ape = parts[Program.APE]
    kla_status, kla = parts[Program.KLA]
    kkb_status, kkb = parts[Program.KAMPUNG_KB]
    return {
        "region": region.code,
        "region_name": region.name,
        "year": year,
        "ape": {
            **ape_stored(ape and ape["result"], ape_status),
            **program_state_stored(ape, ape_status),
        },
        "kla": {
            **kla_stored(kla and kla["result"], kla_status),
            **program_state_stored(kla, kla_status),
        },
        "kampung_kb": {
            **kampung_kb_stored(kkb and kkb["summary"], kkb_status),
            **kampung_kb_state_stored(kkb, kkb_status),
        },
    }


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def option_data(option: Mapping[str, Any]) -> dict[str, Any]:
    value = option.get("value")
    return {
        "label": str(option.get("label", "")),
        "points": _decimal(option.get("points")) or Decimal(0),
        "value": None if value is None else str(value),
        "min": _decimal(option.get("min")),
        "max": _decimal(option.get("max")),
    }


# --- me ---------------------------------------------------------------------------------------


class MeView(ApiView):
    """Who the token or session belongs to, and their scope."""

    @extend_schema(
        operation_id="me",
        summary="Akun saya",
        description="Pengguna yang memiliki token/sesi ini, perannya, dan wilayahnya.",
        responses={200: s.MeSerializer, 401: ERROR_401, 403: ERROR_403, 429: ERROR_429},
        tags=["akun"],
    )
    def get(self, request: Request) -> Response:
        scope = self.scope
        region = (
            Region.objects.filter(pk=scope.region_id).values_list("code", flat=True).first()
            if scope.region_id
            else None
        )
        return Response(
            {
                "username": request.user.get_username(),
                "role": scope.role,
                "region": region,
                "opd_kind": scope.opd_kind_code,
            }
        )


# --- regions ----------------------------------------------------------------------------------


class RegionListView(ApiView):
    """The kab/kota in the user's scope."""

    params_class = RegionParams
    param_lookups = {"kind": "kind"}
    ordering_map = {
        "code": ("code",),
        "-code": ("-code",),
        "name": ("name", "code"),
        "-name": ("-name", "-code"),
    }

    def get_queryset(self) -> QuerySet[Region]:
        return self.scope.regions()

    @extend_schema(
        operation_id="regions_list",
        summary="Daftar wilayah",
        description="Kabupaten/kota dalam cakupan Anda: semua untuk peran provinsi, wilayah "
        "sendiri untuk koordinator dan operator OPD.",
        parameters=[RegionParams],
        responses=list_responses(s.paginated("PaginatedRegionList", s.RegionSerializer)),
        examples=REGION_EXAMPLES,
        tags=["wilayah"],
    )
    def get(self, request: Request) -> Response:
        regions = self.filter_queryset(self.get_queryset()).values("code", "name", "kind")
        return self.paginated(regions)


# --- indicators -------------------------------------------------------------------------------


class IndicatorListView(ApiView):
    """An edition's indicator catalogue, with the owner agency for the user's region."""

    @extend_schema(
        operation_id="indicators_list",
        summary="Katalog indikator",
        description="Indikator per program dan tahun (edisi): kode, kelompok, teks, skor "
        "maksimum, jenis nilai, pilihan/ambang, dan OPD pengampu. Untuk pengguna wilayah, "
        "pengampu adalah pilihan wilayahnya (jika diubah koordinator), selain itu jenis OPD "
        "bawaan. Tahun tanpa edisi adalah galat 400.",
        parameters=[IndicatorParams],
        responses=list_responses(s.paginated("PaginatedIndicatorList", s.IndicatorSerializer)),
        examples=INDICATOR_EXAMPLES,
        tags=["indikator"],
    )
    def get(self, request: Request) -> Response:
        params = query_params(request, IndicatorParams)
        scope = self.scope
        year = params["year"]
        programs = [params["program"]] if params.get("program") else list(Program.values)
        region = params.get("region")
        region_id = region.pk if region is not None else scope.region_id
        rows = (
            Indicator.objects.filter(edition__year=year, edition__program__in=programs)
            .order_by()
            .values(
                "code",
                "edition__program",
                "group__code",
                "group__order",
                "order",
                "text",
                "max_score",
                "kind",
                "unit",
                "options",
                "owner_kind__code",
                "evidence_required",
            )
        )
        if params.get("group"):
            rows = rows.filter(group__code=params["group"])
        rows = sorted(
            rows,
            key=lambda r: (
                PROGRAM_ORDER.get(r["edition__program"], 9),
                r["group__order"],
                r["order"],
                r["code"],
            ),
        )
        if not rows and not Edition.objects.filter(year=year, program__in=programs).exists():
            raise exceptions.ValidationError(
                {"year": [_("There is no edition for %(year)s.") % {"year": year}]}
            )
        overrides = (
            load_owner_overrides([region_id]).get(region_id, {}) if region_id is not None else {}
        )
        data = [
            {
                "code": row["code"],
                "program": row["edition__program"],
                "year": year,
                "group": row["group__code"],
                "order": row["order"],
                "text": row["text"],
                "max_score": row["max_score"],
                "kind": row["kind"],
                "unit": row["unit"],
                "options": [
                    option_data(option)
                    for option in (row["options"] or [])
                    if isinstance(option, Mapping)
                ],
                "owner_opd": overrides.get(row["code"], row["owner_kind__code"]),
                "evidence_required": row["evidence_required"],
            }
            for row in rows
        ]
        return self.paginated(data)


# --- readiness --------------------------------------------------------------------------------

READINESS_SORT = {"ape_score": "ape", "kla_score": "kla"}  # ordering key → programme block


class ReadinessListView(ApiView):
    """APE, KLA and Kampung KB readiness per region for one year (the one readiness read)."""

    @extend_schema(
        operation_id="readiness_list",
        summary="Kesiapan per wilayah",
        description="Satu baris per wilayah dalam cakupan Anda untuk satu tahun: skor APE per "
        "prasyarat dan kategori, skor KLA per klaster dan predikat, dan jumlah desa Kampung KB, "
        "Standar dan Cikar, masing-masing dengan status alur kerjanya dan `state` (nilai apa "
        "angkanya: verified, submitted, returned, draft, atau carried = draf yang hanya berisi "
        "nilai terverifikasi tahun lalu), `incomplete` (ada indikator/desa tanpa data atau bukti "
        "wajib; untuk hasil terverifikasi: diverifikasi dalam keadaan itu) dan `verified_at`. "
        "Nilai null berarti wilayah belum memiliki penilaian untuk program itu.",
        parameters=[ReadinessParams],
        responses=list_responses(s.paginated("PaginatedReadinessList", s.ReadinessSerializer)),
        examples=READINESS_EXAMPLES,
        tags=["kesiapan"],
    )
    def get(self, request: Request) -> Response:
        params = query_params(request, ReadinessParams)
        regions = self.scope.regions()
        if params.get("region") is not None:
            regions = regions.filter(pk=params["region"].pk)
        try:
            rows = readiness_summaries(params["year"], regions)
        except NoEdition:
            raise exceptions.ValidationError(
                {"year": [_("There is no edition for %(year)s.") % {"year": params["year"]}]}
            ) from None
        data = [readiness_stored(region, params["year"], parts) for region, parts in rows]
        ordering = params.get("ordering", "region")
        block = READINESS_SORT.get(ordering.lstrip("-"))
        if block is not None:
            present = [row for row in data if row[block]["score"] is not None]
            missing = [row for row in data if row[block]["score"] is None]
            present.sort(key=lambda row: row[block]["score"], reverse=ordering.startswith("-"))
            data = present + missing  # regions without data always last, by code
        elif ordering == "-region":
            data.reverse()
        return self.paginated(data)


# --- assessments ------------------------------------------------------------------------------


@dataclass
class Target:
    """The assessment a request names: its region, edition and (if started) assessment."""

    program: str
    region: Region
    edition: Edition
    assessment: Assessment | None


# Entries of ``values``, ``notes`` or ``desa`` in one PATCH: far above a catalogue (~100
# indicators) or the desa of one kab/kota (< 1,000), far below what one query may bind.
MAX_ENTRIES = 2000


def _has_nul(data: Any) -> bool:
    """Whether a NUL character appears in any key or text of parsed JSON."""
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, Mapping):
        return any(_has_nul(key) or _has_nul(value) for key, value in data.items())
    if isinstance(data, list):
        return any(_has_nul(item) for item in data)
    return False


def _etag(version: int) -> str:
    return f'"{version}"'


def _if_match_versions(header: str) -> set[int] | None:
    """Versions named by an ``If-Match`` header; None for ``*`` (any)."""
    versions: set[int] = set()
    for part in header.split(","):
        tag = part.strip()
        if tag == "*":
            return None
        tag = tag.removeprefix("W/").strip('"').strip()
        if tag.isdigit() and len(tag) < 10:
            versions.add(int(tag))
    return versions


class AssessmentView(ApiView):
    """One assessment: read it, or change its values (validated as a whole)."""

    def http_method_not_allowed(self, request, *args, **kwargs):
        """Out of scope stays 404 whatever the method; in scope, other methods are 405."""
        self.target(kwargs["program"], kwargs["region"], kwargs["year"])
        return super().http_method_not_allowed(request, *args, **kwargs)

    def options(self, request, *args, **kwargs):
        self.target(kwargs["program"], kwargs["region"], kwargs["year"])
        return super().options(request, *args, **kwargs)

    def target(self, program: str, region_code: str, year: int) -> Target:
        if program not in Program.values:
            raise Http404(_("Unknown programme."))
        if "\x00" in region_code:  # PostgreSQL refuses NUL in text: never a region
            raise Http404(_("Region not found."))
        region = self.scope.get_region_or_404(region_code)
        edition = Edition.objects.filter(program=program, year=year).first()
        if edition is None:
            raise Http404(_("There is no edition of this programme for this year."))
        assessment = (
            Assessment.objects.select_related("edition", "region")
            .filter(edition=edition, region=region)
            .first()
        )
        return Target(program, region, edition, assessment)

    # --- reading ---------------------------------------------------------------------------

    def assessment_data(self, target: Target) -> dict[str, Any]:
        """The assessment as contract §5 data, in a constant number of queries."""
        assessment = target.assessment
        assert assessment is not None
        data: dict[str, Any] = {
            "program": target.program,
            "region": target.region.code,
            "year": target.edition.year,
            "status": assessment.status,
            "version": assessment.version,
            "updated_at": assessment.updated_at,
        }
        catalog = load_catalog(target.edition)
        if target.program == Program.KAMPUNG_KB:
            data.update(self.desa_part(target, catalog))
        else:
            data.update(self.answers_part(target, catalog))
        data["evidence_count"] = (
            EvidenceLink.objects.filter(assessment=assessment)
            .order_by()
            .values("document_id")
            .distinct()
            .count()
        )
        return data

    def can_change(self, target: Target) -> bool:
        assert target.assessment is not None
        return self.scope.can_edit_region(target.region) and not target.assessment.is_locked

    def answers_part(self, target: Target, catalog: CatalogData) -> dict[str, Any]:
        """APE/KLA: values, notes, carried-over codes, editable codes and the score."""
        assessment = target.assessment
        assert assessment is not None
        region_id, year = target.region.pk, target.edition.year
        reads = load_assessments(target.program, [year], [region_id])  # values + owners
        loaded = reads.get(target.program, region_id, year)
        assert loaded is not None
        overrides = reads.owners_for(region_id)
        owners = catalog.owners(overrides)
        can_change = self.can_change(target)
        if target.program == Program.APE:
            result, done, _invalid = ape_result(catalog, loaded, overrides)
            score = ape_data(result, assessment.status)
        else:
            result, done, _invalid = kla_result(catalog, loaded, overrides)
            score = kla_data(result, assessment.status)
        state = number_state(
            assessment.status, answered=done.answered, carried=len(loaded.carried_over)
        )
        score |= {
            "state": str(state) if state else None,
            "incomplete": done.answered < done.total
            or bool(catalog.evidence_missing(loaded.evidenced)),
            "verified_at": _live_verified_at(assessment),
        }
        return {
            "values": {spec.code: loaded.values.get(spec.code) for spec in catalog.specs},
            "notes": dict(
                assessment.answers.exclude(note="")
                .order_by()
                .values_list("indicator__code", "note")
            ),
            "carried_over": sorted(loaded.carried_over),
            "editable": [
                spec.code
                for spec in catalog.specs
                if can_change and self.scope.can_edit_indicator(region_id, owners[spec.code])
            ],
            "score": score,
        }

    def desa_part(self, target: Target, catalog: CatalogData) -> dict[str, Any]:
        """Kampung KB: the desa rows, the editable fields and the region's counts."""
        assessment = target.assessment
        assert assessment is not None
        region_id = target.region.pk
        records = list(
            DesaRecord.objects.filter(assessment=assessment)
            .order_by("desa__code")
            .values("desa__code", *ROW_FIELDS, "note", "carried_over")
        )
        owners = catalog.owners(load_owner_overrides([region_id]).get(region_id, {}))
        can_change = self.can_change(target)
        summary = region_summary(
            catalog.params,
            desa_totals([region_id]).get(region_id, 0),
            [desa_row(record["desa__code"], record) for record in records],
            desa_potensial=potensial_of(region_id, catalog.year),
            rules=catalog.rules,
        )
        return {
            "desa": {
                record["desa__code"]: {
                    **{name: record[name] for name in ROW_FIELDS},
                    "kelas_bkkbn": record["kelas_bkkbn"] or None,
                    "note": record["note"],
                    "carried_over": record["carried_over"],
                }
                for record in records
            },
            "editable": [
                name
                for name in FIELDS
                if can_change
                and self.scope.can_edit_indicator(
                    region_id, owners.get(FIELD_CRITERION.get(name, DEFAULT_CRITERION))
                )
            ],
            "score": kampung_kb_data(summary, assessment.status)
            | {
                "state": str(number_state(assessment.status)),
                "incomplete": len(records) < summary.desa_total,
                "verified_at": _live_verified_at(assessment),
            },
        }

    def respond(self, target: Target) -> Response:
        assert target.assessment is not None
        response = Response(self.assessment_data(target))
        response["ETag"] = _etag(target.assessment.version)
        return response

    @extend_schema(
        operation_id="assessment_retrieve",
        summary="Satu penilaian",
        description="Status alur kerja, versi, nilai (APE/KLA: `values` per kode indikator; "
        "Kampung KB: `desa` per kode desa), jumlah bukti dukung, dan skor yang dihitung dari "
        "nilai tersimpan. 404 bila wilayah di luar cakupan Anda, tahun tanpa edisi, atau "
        "penilaian belum dimulai.",
        parameters=[*ASSESSMENT_PARAMS, ETAG_HEADER],
        responses={
            200: s.AssessmentSerializer,
            401: ERROR_401,
            403: ERROR_403,
            404: ERROR_404,
            429: ERROR_429,
        },
        tags=["penilaian"],
    )
    def get(self, request: Request, program: str, region: str, year: int) -> Response:
        target = self.target(program, region, year)
        if target.assessment is None:
            raise Http404(_("This region has not started this assessment yet."))
        return self.respond(target)

    # --- writing ---------------------------------------------------------------------------

    @extend_schema(
        operation_id="assessment_partial_update",
        summary="Ubah nilai penilaian",
        description=(
            "Divalidasi sebagai satu kesatuan dengan aturan yang sama seperti formulir: satu "
            "nilai tidak sah dan tidak ada yang disimpan (400, pesan per kunci seperti badan "
            'permintaan). APE/KLA: `{"version": v, "values": {kode: nilai}, "notes": {kode: '
            'catatan}}`; Kampung KB: `{"version": v, "desa": {kode_desa: {kolom: nilai}}}`. '
            "Nilai berupa angka JSON (teks ditolak), ya/tidak berupa true/false atau 1/0, "
            "catatan paling banyak 2000 karakter. Badan paling besar 2 MB (413), bersarang "
            "paling dalam 10 tingkat; NaN/Infinity dan kunci ganda ditolak (400).\n\n"
            "**Versi wajib**: kirim If-Match dengan ETag dari GET (412 bila penilaian sudah "
            "berubah) atau `version` di badan permintaan (409 dengan kode `stale` bila sudah "
            "berubah); tanpa keduanya 428. Penilaian yang belum dimulai berversi 1 dan dimulai "
            "otomatis (dengan nilai terverifikasi tahun lalu).\n\n"
            "Status tidak dapat diubah lewat API (kunci `status` ditolak dengan 400): "
            "pengajuan, verifikasi dan pengembalian dilakukan di halaman penilaian. Penilaian "
            "yang sudah diajukan atau diverifikasi terkunci: 409 (`locked`). Operator OPD yang "
            "mengubah indikator milik OPD lain: 403. Peran baca-saja (verifikator, pimpinan): "
            "403. Wilayah di luar cakupan: 404."
        ),
        parameters=[*ASSESSMENT_PARAMS, IF_MATCH, ETAG_HEADER],
        request=s.AssessmentPatchSerializer,
        responses={
            200: s.AssessmentSerializer,
            400: PATCH_400,
            401: ERROR_401,
            403: ERROR_403,
            404: ERROR_404,
            409: LOCKED_409,
            412: ERROR_412,
            413: ERROR_413,
            415: OpenApiResponse(s.ErrorSerializer, description="Kirim JSON."),
            428: ERROR_428,
            429: ERROR_429,
        },
        examples=PATCH_EXAMPLES,
        tags=["penilaian"],
    )
    def patch(self, request: Request, program: str, region: str, year: int) -> Response:
        target = self.target(program, region, year)
        scope = self.scope
        if not scope.can_edit_region(target.region):
            raise exceptions.PermissionDenied(
                _("You may read this region's data but not change it.")
            )
        body = self.parse_body(request.data, target.program)
        expected, from_header = self.expected_version(request, body, target)
        if expected is None and not from_header:
            raise PreconditionRequired()
        if target.assessment is None and not scope.can_manage_region(target.region):
            # Starting a year is the koordinator's or the admin's decision (as on the pages).
            raise Conflict(
                _(
                    "This assessment has not been started. The koordinator of the region or "
                    "the admin starts it."
                ),
                code="not_started",
            )
        try:
            with transaction.atomic():
                assessment = target.assessment or get_or_create_assessment(
                    target.edition, target.region, user=request.user, scope=scope
                )
                self.check_unlocked(assessment)
                self.save(assessment, body, expected, scope)
        except StaleAssessment:
            if from_header:
                raise PreconditionFailed() from None
            raise Conflict(
                _("The assessment changed since version %(version)s. Read it again.")
                % {"version": expected},
                code="stale",
            ) from None
        except DjangoPermissionDenied as error:
            raise exceptions.PermissionDenied(*error.args) from None
        target.assessment = Assessment.objects.select_related("edition", "region").get(
            pk=assessment.pk
        )
        return self.respond(target)

    def parse_body(self, body: Any, program: str) -> dict[str, Any]:
        """The body's parts, checked for shape; a 400 keyed like the body otherwise."""
        if not isinstance(body, Mapping):
            raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        allowed = {"desa", "version"} if program == Program.KAMPUNG_KB else {"values", "notes"}
        allowed = allowed | {"version"}
        errors: dict[str, list[str]] = {}
        for key in body:
            if key == "status":
                errors[key] = [
                    _(
                        "The status cannot be changed through the API: submit, verify and "
                        "return on the assessment page."
                    )
                ]
            elif key not in allowed:
                errors[str(key)] = [_("Unknown field.")]
        main = "desa" if program == Program.KAMPUNG_KB else "values"
        if main not in body and "notes" not in body and not errors:
            errors[main] = [_("This field is required.")]
        for key in ("values", "notes", "desa"):
            if key in body and key in allowed and not isinstance(body[key], Mapping):
                errors[key] = [_("Must be an object: {code: value}.")]
            elif key in body and key in allowed and len(body[key]) > MAX_ENTRIES:
                errors[key] = [
                    _("Too many entries in one request: at most %(max)s.") % {"max": MAX_ENTRIES}
                ]
        if isinstance(body.get("desa"), Mapping) and "desa" in allowed:
            wrong = {
                str(code): [_("Give the village's fields as an object.")]
                for code, fields in body["desa"].items()
                if not isinstance(fields, Mapping)
            }
            if wrong:
                errors["desa"] = wrong  # type: ignore[assignment]
        if isinstance(body.get("notes"), Mapping) and "notes" in allowed:
            wrong = {
                str(code): [_("The note must be text.")]
                for code, note in body["notes"].items()
                if note is not None and not isinstance(note, str)
            }
            if wrong:
                errors["notes"] = wrong  # type: ignore[assignment]
        version = body.get("version")
        if "version" in body and (
            isinstance(version, bool) or not isinstance(version, int) or not 0 < version < 2**31
        ):
            errors["version"] = [_("Give the version you read as a whole number.")]
        for key, part in body.items():
            if _has_nul(part):  # PostgreSQL cannot store NUL in text
                errors[str(key)] = [_("Text may not contain NUL characters.")]
        if errors:
            raise exceptions.ValidationError(errors)
        return dict(body)

    def expected_version(
        self, request: Request, body: Mapping[str, Any], target: Target
    ) -> tuple[int | None, bool]:
        """(the version the client read, whether it came from If-Match).

        (None, False): neither was sent, a 428. (None, True): ``If-Match: *``, the client's
        explicit "whatever is current" (RFC 9110). An assessment not started yet is version 1.
        """
        header = request.headers.get("If-Match")
        if header is not None:
            versions = _if_match_versions(header)
            if versions is None:  # "*": unless the body names the version it read
                return (int(body["version"]), False) if "version" in body else (None, True)
            if not versions:
                raise PreconditionFailed()
            current = target.assessment.version if target.assessment else 1
            return (current if current in versions else min(versions)), True
        if "version" in body:
            return int(body["version"]), False
        return None, False

    def check_unlocked(self, assessment: Assessment) -> None:
        if assessment.status == Assessment.Status.VERIFIED:
            raise Conflict(
                _("This assessment has been verified and is locked; it cannot be changed."),
                code="locked",
            )
        if assessment.status == Assessment.Status.SUBMITTED:
            raise Conflict(
                _("This assessment has been submitted and is locked; it cannot be changed."),
                code="locked",
            )

    def save(
        self, assessment: Assessment, body: Mapping[str, Any], expected: int | None, scope: Scope
    ) -> None:
        reason = _("Changed through the API")
        user = self.request.user
        if assessment.edition.program == Program.KAMPUNG_KB:
            try:
                save_desa_rows(
                    assessment,
                    {str(code): fields for code, fields in body["desa"].items()},
                    user=user,
                    scope=scope,
                    expected_version=expected,
                    reason=reason,
                    typed=True,
                )
            except InvalidRows as error:
                self.refuse(assessment, error.errors, error.forbidden, "desa")
            return
        values = {str(code): value for code, value in (body.get("values") or {}).items()}
        notes = {
            str(code): (note or "") for code, note in (body.get("notes") or {}).items()
        } or None
        try:
            save_values(
                assessment,
                values,
                notes,
                user=user,
                scope=scope,
                expected_version=expected,
                reason=reason,
                typed=True,
            )
        except InvalidValues as error:
            self.refuse(assessment, error.errors, error.forbidden, "values", error.note_errors)

    def refuse(
        self,
        assessment: Assessment,
        errors: Mapping[str, Any],
        forbidden: Iterable[Any],
        key: str,
        note_errors: Mapping[str, list[str]] | None = None,
    ) -> None:
        """Turn a write path's refusal into 409 (locked), 403 (another OPD's) or 400."""
        status = Assessment.objects.filter(pk=assessment.pk).values_list("status", flat=True)
        if status.first() in (Assessment.Status.SUBMITTED, Assessment.Status.VERIFIED):
            self.check_unlocked(Assessment(status=status.first()))
        forbidden = list(forbidden)
        if forbidden:
            codes = sorted({item[0] if isinstance(item, tuple) else item for item in forbidden})
            raise exceptions.PermissionDenied(
                _(
                    "These belong to another agency (OPD); you cannot change them: %(codes)s. "
                    "Nothing was saved."
                )
                % {"codes": ", ".join(codes)}
            )
        if key == "desa":
            raise exceptions.ValidationError({"desa": dict(errors)})
        body: dict[str, dict[str, Any]] = {}
        note_errors = note_errors or {}
        for code, messages in errors.items():
            on_note = [m for m in messages if m in note_errors.get(code, ())]
            on_value = [m for m in messages if m not in on_note]
            if on_note:
                body.setdefault("notes", {})[code] = on_note
            if on_value:
                body.setdefault("values", {})[code] = on_value
        raise exceptions.ValidationError(body)


# --- awards -----------------------------------------------------------------------------------


class AwardListView(ApiView):
    """Published award results (KLA, Provila, APE) with their sources."""

    params_class = AwardParams
    param_lookups = {"region": "region", "program": "program", "year": "year"}
    ordering_map = {
        "region": ("region__code", "program", "year", "result"),
        "-region": ("-region__code", "program", "year", "result"),
        "year": ("year", "region__code", "program", "result"),
        "-year": ("-year", "region__code", "program", "result"),
    }

    def get_queryset(self) -> QuerySet[AwardResult]:
        scope = self.scope
        if scope.is_provincial:
            return AwardResult.objects.all()
        return AwardResult.objects.filter(
            scope.region_q("region") | Q(region__kind=Region.Kind.PROVINSI)
        )

    @extend_schema(
        operation_id="awards_list",
        summary="Riwayat penghargaan",
        description="Hasil penghargaan yang dipublikasikan (KLA, Provila, APE) beserta sumbernya "
        "dan tanda bila sumber saling bertentangan. Peran provinsi melihat semua wilayah; "
        "pengguna wilayah melihat wilayahnya dan penghargaan provinsi (kode 19).",
        parameters=[AwardParams],
        responses=list_responses(s.paginated("PaginatedAwardList", s.AwardSerializer)),
        tags=["penghargaan"],
    )
    def get(self, request: Request) -> Response:
        rows = self.filter_queryset(self.get_queryset()).values(
            "region__code",
            "program",
            "year",
            "result",
            "published_score",
            "confidence",
            "conflicting",
            "note",
            "source_urls",
        )
        page = self.paginate_queryset(rows)
        data = [
            {
                "region": row["region__code"],
                "program": row["program"],
                "year": row["year"],
                "result": row["result"],
                "published_score": row["published_score"],
                "confidence": row["confidence"],
                "standing": str(award_standing(row["confidence"], row["conflicting"])),
                "conflicting": row["conflicting"],
                "note": row["note"],
                "source_urls": [str(url) for url in (row["source_urls"] or [])],
            }
            for row in page
        ]
        return self.get_paginated_response(data)


# --- meetings ---------------------------------------------------------------------------------


def meeting_queryset(scope: Scope, params: Mapping[str, Any]) -> QuerySet[Meeting]:
    """Meetings visible to ``scope``, filtered, with what a list row shows (5 queries a page).

    Follow-up counts only count the follow-ups of regions in the user's scope.
    """
    year = params.get("year")
    filters = MeetingFilters(
        region=params.get("region"),
        programme=params.get("program"),
        date_from=datetime.date(year, 1, 1) if year else None,
        date_to=datetime.date(year, 12, 31) if year else None,
    )
    today = jakarta_today()
    mine = scope.region_q("followups__region")
    not_done = ~Q(followups__status=FollowUp.Status.DONE) & mine
    ascending = params.get("ordering") == "date"
    ordering = ("date", "time", "pk") if ascending else ("-date", "-time", "-pk")
    return (
        filter_meetings(visible_meetings(scope), filters)
        .prefetch_related(
            Prefetch("regions", queryset=Region.objects.order_by("code")),
            "issues",
            Prefetch("participations", queryset=Participation.objects.select_related("kind")),
        )
        .annotate(
            open_count=Count("followups", filter=not_done, distinct=True),
            overdue_count=Count(
                "followups", filter=not_done & Q(followups__due_date__lt=today), distinct=True
            ),
        )
        .order_by(*ordering)
    )


def meeting_data(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "date": meeting.date,
        "time": meeting.time,
        "venue": meeting.venue,
        "organiser": meeting.organiser,
        "purpose": meeting.purpose,
        "programs": [code for code, field in PROGRAMME_FIELD.items() if getattr(meeting, field)],
        "regions": [region.code for region in meeting.regions.all()],
        "issues": [{"code": issue.code, "name": issue.name} for issue in meeting.issues.all()],
        "issues_other": meeting.issues_other,
        "participants": [
            {"kind": p.kind.code, "name": p.kind.name, "count": p.count}
            for p in meeting.participations.all()
        ],
        "open_followups": meeting.open_count,
        "overdue_followups": meeting.overdue_count,
    }


class MeetingListView(ApiView):
    """Coordination meetings covering a region in the user's scope."""

    @extend_schema(
        operation_id="meetings_list",
        summary="Rapat sinergitas",
        description="Rapat koordinasi yang mencakup wilayah dalam cakupan Anda (peran provinsi: "
        "semua), terbaru dahulu. Jumlah tindak lanjut hanya menghitung wilayah Anda.",
        parameters=[MeetingParams],
        responses=list_responses(s.paginated("PaginatedMeetingList", s.MeetingSerializer)),
        tags=["sinergitas"],
    )
    def get(self, request: Request) -> Response:
        params = query_params(request, MeetingParams)
        page = self.paginate_queryset(meeting_queryset(self.scope, params))
        return self.get_paginated_response([meeting_data(meeting) for meeting in page])


class MeetingDetailView(ApiView):
    """One meeting with the follow-ups of the user's regions."""

    def http_method_not_allowed(self, request, *args, **kwargs):
        """Out of scope stays 404 whatever the method; in scope, other methods are 405."""
        self.meeting(kwargs["id"])
        return super().http_method_not_allowed(request, *args, **kwargs)

    def options(self, request, *args, **kwargs):
        self.meeting(kwargs["id"])
        return super().options(request, *args, **kwargs)

    def meeting(self, pk: int) -> Meeting:
        meeting = meeting_queryset(self.scope, {}).filter(pk=pk).first()
        if meeting is None:
            raise Http404(_("Meeting not found."))
        return meeting

    @extend_schema(
        operation_id="meeting_retrieve",
        summary="Satu rapat sinergitas",
        parameters=[path_param("id", "ID rapat.", type=int)],
        responses={
            200: s.MeetingDetailSerializer,
            401: ERROR_401,
            403: ERROR_403,
            404: ERROR_404,
            429: ERROR_429,
        },
        tags=["sinergitas"],
    )
    def get(self, request: Request, id: int) -> Response:  # noqa: A002 - the URL's name
        scope = self.scope
        meeting = self.meeting(id)
        today = jakarta_today()
        followups = scope.filter(
            FollowUp.objects.filter(meeting=meeting).select_related(
                "region", "owner_kind", "owner_opd"
            ),
            "region",
        ).order_by("due_date", "pk")
        data = meeting_data(meeting)
        data.update(
            notes=meeting.notes,
            source=meeting.source,
            followups=[
                {
                    "id": followup.pk,
                    "what": followup.what,
                    "region": followup.region.code,
                    "owner": followup.owner_label,
                    "due_date": followup.due_date,
                    "status": followup.status,
                    "overdue": followup.is_overdue(today),
                    "note": followup.note,
                }
                for followup in followups
            ],
        )
        return Response(data)


@csrf_exempt
def unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """A path under ``/api/v1/`` that names no endpoint: ``404`` as JSON, whatever the method."""
    return JsonResponse({"detail": _("Not found."), "code": "not_found"}, status=404)


__all__ = [
    "AssessmentView",
    "AwardListView",
    "IndicatorListView",
    "MeView",
    "MeetingDetailView",
    "MeetingListView",
    "ReadinessListView",
    "RegionListView",
]
