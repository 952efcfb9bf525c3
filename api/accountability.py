"""API v1 for issue #17: the evaluation calendar, OPD accountability per region and the return
reasons (taxonomy and the reasons given), with the same scoping as the pages.

Lists are paginated and read with a constant number of queries; out of scope is 404.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from akuntabilitas.queries import calendar_overview, default_year, opd_accountability
from akuntabilitas.views import calendar_year
from api.filters import RegionCodeField, choice_errors, query_params, year_field
from api.schema import list_responses, path_param
from api.serializers import number, paginated
from api.views import ApiView
from penilaian.models import Program, ReturnCategory, ReturnReason
from regions.models import Region

# --- shapes (for the OpenAPI schema) -----------------------------------------------------------


class StageSerializer(serializers.Serializer):
    program = serializers.ChoiceField(choices=Program.values)
    year = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text=_("National deadline."))
    internal_deadline = serializers.DateField(
        allow_null=True, help_text=_("The province's own earlier deadline, if any.")
    )
    example = serializers.BooleanField(help_text=_("Illustrative dates, not an official schedule."))
    current = serializers.BooleanField(help_text=_("The programme's current stage today."))
    days_left = serializers.IntegerField(
        help_text=_("Days to the national deadline (negative: over).")
    )
    internal_days_left = serializers.IntegerField(allow_null=True)
    at_risk = serializers.ListField(
        child=serializers.CharField(),
        help_text=_(
            "Codes of the regions in your scope at risk before this (current) stage's deadline."
        ),
    )


class ContactSerializer(serializers.Serializer):
    name = serializers.CharField()
    username = serializers.CharField()
    email = serializers.CharField()


class OwnedItemSerializer(serializers.Serializer):
    program = serializers.CharField()
    code = serializers.CharField()
    filled = serializers.BooleanField()
    with_evidence = serializers.BooleanField()
    returned = serializers.BooleanField()
    verified = serializers.BooleanField()
    returned_reasons = serializers.ListField(child=serializers.CharField())


class GapLineSerializer(serializers.Serializer):
    program = serializers.CharField()
    code = serializers.CharField()
    gain = number(_("Points this indicator adds towards the next level."))


class OpdSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_("OPD kind code; empty for indicators without an OPD."))
    name = serializers.CharField()
    owned = serializers.IntegerField()
    filled = serializers.IntegerField()
    with_evidence = serializers.IntegerField()
    returned = serializers.IntegerField()
    verified = serializers.IntegerField()
    points_at_stake = number()
    contacts = ContactSerializer(many=True)
    items = OwnedItemSerializer(many=True)
    gap = GapLineSerializer(many=True)


class RegionOpdSerializer(serializers.Serializer):
    region = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    koordinators = ContactSerializer(many=True)
    opd = OpdSerializer(many=True)


class ReturnCategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    requires_text = serializers.BooleanField()
    active = serializers.BooleanField()


class ReturnReasonSerializer(serializers.Serializer):
    region = serializers.CharField()
    program = serializers.CharField()
    year = serializers.IntegerField()
    round = serializers.IntegerField()
    indicator = serializers.CharField(allow_null=True)
    desa = serializers.CharField(allow_blank=True)
    categories = serializers.ListField(child=serializers.CharField())
    note = serializers.CharField(allow_blank=True)
    reason = serializers.CharField()
    resolved = serializers.BooleanField()
    created_at = serializers.DateTimeField()


# --- query parameters --------------------------------------------------------------------------


class YearParams(serializers.Serializer):
    year = year_field()


class ReturnReasonParams(serializers.Serializer):
    region = RegionCodeField()
    program = serializers.ChoiceField(
        choices=Program.values, required=False, error_messages=choice_errors()
    )
    year = year_field()
    resolved = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=_("Only resolved / open ones.")
    )


# --- views -------------------------------------------------------------------------------------


class CalendarView(ApiView):
    @extend_schema(
        operation_id="calendar_list",
        summary="Kalender evaluasi",
        description="Tahap per program untuk satu tahun (bawaan: tahun ini): jadwal nasional, "
        "batas waktu internal provinsi, tahap saat ini, sisa hari, dan wilayah dalam cakupan "
        "Anda yang berisiko pada tahap saat ini.",
        parameters=[YearParams],
        responses=list_responses(paginated("PaginatedStageList", StageSerializer)),
        tags=["kalender"],
    )
    def get(self, request: Request) -> Response:
        params = query_params(request, YearParams)
        today = timezone.localdate()
        year = params.get("year") or calendar_year(None, today)[0]
        rows = []
        for program in calendar_overview(self.scope.regions(), year, today):
            at_risk = [r.region.code for r in program.at_risk]
            for row in program.stages:
                spec = row.spec
                rows.append(
                    {
                        "program": spec.program,
                        "year": year,
                        "code": spec.code,
                        "name": spec.name,
                        "starts_on": spec.starts_on.isoformat(),
                        "ends_on": spec.ends_on.isoformat(),
                        "internal_deadline": (
                            spec.internal_deadline.isoformat() if spec.internal_deadline else None
                        ),
                        "example": spec.example,
                        "current": row.current,
                        "days_left": row.days_left,
                        "internal_days_left": row.internal_days_left,
                        "at_risk": at_risk if row.current else [],
                    }
                )
        return self.paginated(rows)


def _contact(contact) -> dict[str, str]:
    return {"name": contact.name, "username": contact.username, "email": contact.email}


class RegionOpdView(ApiView):
    @extend_schema(
        operation_id="region_opd",
        summary="Akuntabilitas OPD satu wilayah",
        description="Per OPD: indikator APE dan KLA yang dimilikinya, berapa yang terisi, "
        "berbukti, dikembalikan dan terverifikasi, kontak, dan butir daftar kesenjangan. "
        "Wilayah di luar cakupan Anda: 404.",
        parameters=[path_param("region", "Kode wilayah Kemendagri, misalnya 19.01."), YearParams],
        responses=list_responses(RegionOpdSerializer),
        tags=["akuntabilitas"],
    )
    def get(self, request: Request, region: str) -> Response:
        found = self.scope.get_region_or_404(region)
        params = query_params(request, YearParams)
        regions = Region.objects.filter(pk=found.pk)
        year = params.get("year") or default_year(regions)
        data: dict[str, Any] = {"region": found.code, "year": year, "koordinators": [], "opd": []}
        if year is None:
            return Response(data)
        block = opd_accountability(regions, year)[0]
        data["koordinators"] = [_contact(c) for c in block.koordinators]
        data["opd"] = [
            {
                "kind": row.kind_code,
                "name": row.name,
                "owned": row.owned,
                "filled": row.filled,
                "with_evidence": row.evidenced,
                "returned": row.returned,
                "verified": row.verified,
                "points_at_stake": row.points_at_stake,
                "contacts": [_contact(c) for c in row.contacts],
                "items": [
                    {
                        "program": i.program,
                        "code": i.code,
                        "filled": i.filled,
                        "with_evidence": i.evidenced,
                        "returned": i.returned,
                        "verified": i.verified,
                        "returned_reasons": i.returned_reasons,
                    }
                    for i in row.items
                ],
                "gap": [{"program": g.program, "code": g.code, "gain": g.gain} for g in row.gap],
            }
            for row in block.rows
        ]
        return Response(RegionOpdSerializer(data).data)


class ReturnCategoryListView(ApiView):
    @extend_schema(
        operation_id="return_categories_list",
        summary="Daftar alasan pengembalian",
        description="Taksonomi alasan pengembalian yang dipakai verifikator.",
        responses=list_responses(
            paginated("PaginatedReturnCategoryList", ReturnCategorySerializer), bad_params=False
        ),
        tags=["alasan pengembalian"],
    )
    def get(self, request: Request) -> Response:
        return self.paginated(
            ReturnCategory.objects.order_by("order", "code").values(
                "code", "name", "requires_text", "active"
            )
        )


class ReturnReasonListView(ApiView):
    @extend_schema(
        operation_id="return_reasons_list",
        summary="Alasan pengembalian yang diberikan",
        description="Setiap alasan pengembalian per indikator (atau desa) di wilayah dalam "
        "cakupan Anda, terbaru dahulu, dengan kode alasan dan keterangannya.",
        parameters=[ReturnReasonParams],
        responses=list_responses(paginated("PaginatedReturnReasonList", ReturnReasonSerializer)),
        tags=["alasan pengembalian"],
    )
    def get(self, request: Request) -> Response:
        params = query_params(request, ReturnReasonParams)
        qs = self.scope.filter(ReturnReason.objects.all(), "assessment__region").order_by(
            "-created_at", "-pk"
        )
        if params.get("region") is not None:
            qs = qs.filter(assessment__region=params["region"])
        if params.get("program"):
            qs = qs.filter(assessment__edition__program=params["program"])
        if params.get("year"):
            qs = qs.filter(assessment__edition__year=params["year"])
        if params.get("resolved") is not None:
            qs = qs.filter(resolved=params["resolved"])
        page = self.paginate_queryset(
            qs.values(
                "pk",
                "assessment__region__code",
                "assessment__edition__program",
                "assessment__edition__year",
                "round",
                "indicator__code",
                "desa_code",
                "note",
                "reason",
                "resolved",
                "created_at",
            )
        )
        rows = list(page or [])
        codes: dict[int, list[str]] = {row["pk"]: [] for row in rows}
        through = ReturnReason.categories.through
        for reason_id, code in (
            through.objects.filter(returnreason_id__in=list(codes))
            .order_by("returncategory__order", "returncategory__code")
            .values_list("returnreason_id", "returncategory__code")
        ):
            codes[reason_id].append(code)
        data = [
            {
                "region": row["assessment__region__code"],
                "program": row["assessment__edition__program"],
                "year": row["assessment__edition__year"],
                "round": row["round"],
                "indicator": row["indicator__code"],
                "desa": row["desa_code"],
                "categories": codes[row["pk"]],
                "note": row["note"],
                "reason": row["reason"],
                "resolved": row["resolved"],
                "created_at": row["created_at"].isoformat().replace("+00:00", "Z"),
            }
            for row in rows
        ]
        return self.get_paginated_response(data)
