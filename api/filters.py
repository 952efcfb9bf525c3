"""Query parameters of the API lists: validation (messages in Bahasa Indonesia) and filtering.

Each list view declares ``params_class`` (a serializer of its query parameters, also used to
describe them in the OpenAPI schema). :func:`query_params` validates ``request.query_params``
once per request: an invalid value is a ``400`` keyed by the parameter, a ``region`` that does
not exist or is outside the user's scope is a ``404`` (never a hint that it exists).
:class:`ParamsFilterBackend` then applies the view's ``param_lookups`` and ``ordering_map`` to
querysets; views over plain data (readiness, indicators) filter with the same validated values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.filters import BaseFilterBackend

from penilaian.models import AwardResult, Program
from regions.models import Region
from regions.scoping import scope_for

YEAR_ERRORS = {
    "invalid": _("Year must be a whole number, e.g. 2025."),
    "max_string_length": _("Year must be a whole number, e.g. 2025."),
    "min_value": _("Year must be between 2000 and 2100."),
    "max_value": _("Year must be between 2000 and 2100."),
    "required": _("This parameter is required."),
    "null": _("This parameter is required."),
}


def choice_errors() -> dict[str, Any]:
    return {"invalid_choice": _('"{input}" is not one of the allowed values.')}


def year_field(*, required: bool = False) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=required,
        min_value=2000,
        max_value=2100,
        error_messages=YEAR_ERRORS,
        help_text=_("Year (edition), e.g. 2025."),
    )


class RegionCodeField(serializers.CharField):
    """A region code resolved to a :class:`Region` the user may see; otherwise 404."""

    def __init__(self, *, allow_province: bool = False, **kwargs):
        self.allow_province = allow_province
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _("Kemendagri region code, e.g. 19.01 (only regions in your scope)."),
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Region:
        code = super().to_internal_value(data).strip()
        if len(code) > Region._meta.get_field("code").max_length or "\x00" in code:
            raise Http404(_("Region not found."))
        if self.allow_province and "." not in code:  # the province's code has no dot
            province = Region.objects.filter(kind=Region.Kind.PROVINSI, code=code).first()
            if province is not None:
                return province
        return scope_for(self.context["request"].user).get_region_or_404(code)

    def run_validators(self, value: Any) -> None:
        """The value is a Region by now; the code was checked in ``to_internal_value``."""


class OrderingField(serializers.ChoiceField):
    def __init__(self, choices, default: str, **kwargs):
        super().__init__(
            choices=choices,
            required=False,
            default=default,
            error_messages=choice_errors(),
            help_text=_("Sort order; a leading minus sign sorts descending."),
            **kwargs,
        )


class RegionParams(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[Region.Kind.KABUPATEN, Region.Kind.KOTA],
        required=False,
        error_messages=choice_errors(),
        help_text=_("Only regencies (kabupaten) or only cities (kota)."),
    )
    ordering = OrderingField(["code", "-code", "name", "-name"], default="code")


class IndicatorParams(serializers.Serializer):
    program = serializers.ChoiceField(
        choices=Program.values,
        required=False,
        error_messages=choice_errors(),
        help_text=_("Programme; all three when omitted."),
    )
    year = year_field(required=True)
    group = serializers.CharField(
        required=False, max_length=40, help_text=_("Only the indicators of this group code.")
    )
    region = RegionCodeField(
        help_text=_(
            "Region whose owner agencies to show (default: your own region, or none for "
            "provincial users)."
        )
    )


class ReadinessParams(serializers.Serializer):
    year = year_field(required=True)
    region = RegionCodeField()
    ordering = OrderingField(
        ["region", "-region", "ape_score", "-ape_score", "kla_score", "-kla_score"],
        default="region",
    )


class AwardParams(serializers.Serializer):
    region = RegionCodeField(
        allow_province=True,
        help_text=_("Kemendagri region code, e.g. 19.01, or 19 for the province's own awards."),
    )
    program = serializers.ChoiceField(
        choices=AwardResult.AwardProgram.values,
        required=False,
        error_messages=choice_errors(),
        help_text=_("Award programme."),
    )
    year = year_field()
    ordering = OrderingField(["year", "-year", "region", "-region"], default="region")


class MeetingParams(serializers.Serializer):
    region = RegionCodeField(help_text=_("Only meetings covering this region."))
    program = serializers.ChoiceField(
        choices=Program.values,
        required=False,
        error_messages=choice_errors(),
        help_text=_("Only meetings serving this programme."),
    )
    year = year_field()
    ordering = OrderingField(["date", "-date"], default="-date")


def query_params(request, params_class: type[serializers.Serializer]) -> dict[str, Any]:
    """The validated query parameters (400 when invalid, 404 for a region out of scope)."""
    cached = getattr(request, "_api_params", None)
    if cached is not None and cached[0] is params_class:
        return cached[1]
    data = {key: request.query_params.get(key) for key in params_class().fields}
    data = {key: value for key, value in data.items() if value is not None}
    serializer = params_class(data=data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    request._api_params = (params_class, serializer.validated_data)
    return serializer.validated_data


class ParamsFilterBackend(BaseFilterBackend):
    """Filters and orders a list view's queryset by its validated query parameters.

    The view declares ``params_class``, ``param_lookups`` ({parameter: ORM lookup}) and
    ``ordering_map`` ({ordering value: ORM order_by fields}). Views without ``params_class``
    are left alone.
    """

    def filter_queryset(self, request, queryset: QuerySet, view) -> QuerySet:
        params_class = getattr(view, "params_class", None)
        if params_class is None:
            return queryset
        params = query_params(request, params_class)
        lookups: Mapping[str, str] = getattr(view, "param_lookups", {})
        conditions = {lookup: params[name] for name, lookup in lookups.items() if name in params}
        if conditions:
            queryset = queryset.filter(**conditions)
        ordering_map: Mapping[str, tuple[str, ...]] = getattr(view, "ordering_map", {})
        ordering = params.get("ordering")
        if ordering in ordering_map:
            queryset = queryset.order_by(*ordering_map[ordering])
        return queryset
