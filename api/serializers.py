"""Response and request shapes of API v1 (contract §5), for the OpenAPI schema and for validation.

Lists are serialised from plain data (``values()`` rows, the readiness dataclasses) by the
``*_data`` functions in :mod:`api.views`, not through these serializers: a ``ModelSerializer``
costs 3.5–5.6× more per row (traps.md). These classes describe exactly what those functions
return, so the schema and the responses agree (the fuzz run in ``.ci/api-fuzz`` checks it).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from kampung_kb.models import IndustriRumahan, KelasBkkbn
from penilaian.models import Assessment, Indicator, Program
from penilaian.scoring import NumberState
from penilaian.services import NOTE_MAX_LENGTH
from regions.models import Region


def number(help_text: str = "", *, nullable: bool = False) -> serializers.DecimalField:
    """A decimal rendered as a JSON number (not a string)."""
    return serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        coerce_to_string=False,
        allow_null=nullable,
        help_text=help_text,
    )


def text(help_text: str = "", *, nullable: bool = False) -> serializers.CharField:
    return serializers.CharField(allow_null=nullable, allow_blank=True, help_text=help_text)


def paginated(name: str, item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """A ``{"count", "next", "previous", "results"}`` page of ``item``."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(help_text=_("Number of items on all pages.")),
            "next": serializers.URLField(allow_null=True, help_text=_("URL of the next page.")),
            "previous": serializers.URLField(
                allow_null=True, help_text=_("URL of the previous page.")
            ),
            "results": item(many=True),
            "__module__": __name__,
        },
    )


# --- errors -----------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """Every error except 400: a message in Bahasa Indonesia and a machine-readable code."""

    detail = serializers.CharField(help_text=_("What went wrong, in the UI language."))
    code = serializers.CharField(
        help_text=_("Stable code: not_authenticated, permission_denied, not_found, locked, …")
    )


VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": True,
    "description": (
        "Pesan galat dalam Bahasa Indonesia per kunci, berbentuk seperti badan permintaan atau "
        'parameter kueri, misalnya {"values": {"KLA-1-01": ["Nilai di luar rentang 0–40."]}} '
        'atau {"year": ["Parameter ini wajib diisi."]}.'
    ),
}


# --- regions, indicators, awards --------------------------------------------------------------


class RegionSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Kemendagri code, e.g. 19.01."))
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=[Region.Kind.KABUPATEN, Region.Kind.KOTA])


class OptionSerializer(serializers.Serializer):
    label = serializers.CharField(allow_blank=True)
    points = number(_("Points earned by this option or band."))
    value = serializers.CharField(
        allow_null=True, help_text=_("The option's stored value (ladders of text values).")
    )
    min = number(_("Lower end of a percentage band."), nullable=True)
    max = number(_("Upper end of a percentage band."), nullable=True)


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Indicator code, unique across programmes."))
    program = serializers.ChoiceField(choices=Program.values)
    year = serializers.IntegerField()
    group = serializers.CharField(help_text=_("Group code (prerequisite, cluster, criteria)."))
    order = serializers.IntegerField()
    text = serializers.CharField()
    max_score = number()
    kind = serializers.ChoiceField(choices=Indicator.Kind.values)
    unit = serializers.CharField(allow_blank=True)
    options = OptionSerializer(
        many=True, help_text=_("The ladder's options or the percentage bands.")
    )
    owner_opd = serializers.CharField(
        allow_null=True,
        help_text=_("Owner agency kind code for the region (its own choice, else the default)."),
    )
    evidence_required = serializers.BooleanField()


class AwardSerializer(serializers.Serializer):
    region = serializers.CharField(help_text=_("Kemendagri code; 19 is the province."))
    program = serializers.CharField(help_text=_("Award programme: ape, kla or provila."))
    year = serializers.IntegerField()
    result = serializers.CharField()
    published_score = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        allow_null=True,
        coerce_to_string=False,
        help_text=_("The score the source publishes with the result (e.g. 609.93), if any."),
    )
    confidence = serializers.CharField(allow_blank=True)
    standing = serializers.ChoiceField(
        choices=["resmi", "diduga", "bertentangan"],
        help_text=_(
            "resmi: published without disagreement; diduga: inferred from indirect evidence; "
            "bertentangan: sources report another result for the same year."
        ),
    )
    conflicting = serializers.BooleanField(help_text=_("Sources disagree about this result."))
    note = serializers.CharField(allow_blank=True)
    source_urls = serializers.ListField(child=serializers.CharField())


# --- readiness --------------------------------------------------------------------------------

STATUS_HELP = _("Workflow status of the assessment; null when the region has none.")


def status_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=Assessment.Status.values, allow_null=True, help_text=STATUS_HELP
    )


STATE_HELP = _(
    "What the numbers are worth: verified, submitted, returned, draft, or carried (a draft that "
    "holds only last year's verified values); null when the region has no assessment. Only "
    "verified numbers are checked by the province."
)


def state_field() -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=[state.value for state in NumberState], allow_null=True, help_text=STATE_HELP
    )


def incomplete_field() -> serializers.BooleanField:
    return serializers.BooleanField(
        help_text=_(
            "True when some indicator (Kampung KB: some village) has no data or required evidence "
            "is missing; for a verified result, it was verified so."
        )
    )


def verified_at_field() -> serializers.DateTimeField:
    return serializers.DateTimeField(
        allow_null=True, help_text=_("When the result was verified; null unless verified.")
    )


PROVISIONAL_HELP = _(
    "True when the category/predicate (or the Kampung KB counts and target) depends on a rule "
    "that /metode/ marks provisional: no official source publishes it; the portal's own value."
)
RULES_HELP = _("Codes of those provisional rules, as listed (and anchored) on /metode/.")


def provisional_field() -> serializers.BooleanField:
    return serializers.BooleanField(help_text=PROVISIONAL_HELP)


def provisional_rules_field() -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), help_text=RULES_HELP)


class PrerequisiteSerializer(serializers.Serializer):
    code = serializers.CharField()
    score = number()
    max_score = number()
    state = serializers.ChoiceField(choices=["terpenuhi", "sebagian", "belum"])


class ApeScoreSerializer(serializers.Serializer):
    score = number(nullable=True)
    max_score = number(nullable=True)
    category = serializers.CharField(allow_null=True, help_text=_("APE category reached."))
    next_category = serializers.CharField(allow_null=True)
    points_to_next = number(nullable=True)
    status = status_field()
    state = state_field()
    incomplete = incomplete_field()
    verified_at = verified_at_field()
    provisional = provisional_field()
    provisional_rules = provisional_rules_field()
    prerequisites = PrerequisiteSerializer(many=True)


class KlaGroupSerializer(serializers.Serializer):
    code = serializers.CharField()
    score = number()
    max_score = number()


class KlaScoreSerializer(serializers.Serializer):
    score = number(nullable=True)
    predicate = serializers.CharField(allow_null=True, help_text=_("KLA predicate reached."))
    next_predicate = serializers.CharField(allow_null=True)
    points_to_next = number(nullable=True)
    status = status_field()
    state = state_field()
    incomplete = incomplete_field()
    verified_at = verified_at_field()
    provisional = provisional_field()
    provisional_rules = provisional_rules_field()
    groups = KlaGroupSerializer(many=True)


class KampungKbScoreSerializer(serializers.Serializer):
    desa_total = serializers.IntegerField(allow_null=True)
    kampung_kb = serializers.IntegerField(allow_null=True)
    standar = serializers.IntegerField(allow_null=True)
    cikar = serializers.IntegerField(allow_null=True)
    persen_kampung_kb = number(nullable=True)
    desa_potensial = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "Base of the 90 % target: the potential desa/kelurahan entered for the year, "
            "else every desa (then KKB-POTENSIAL is among the provisional rules)."
        ),
    )
    status = status_field()
    state = state_field()
    incomplete = incomplete_field()
    verified_at = verified_at_field()
    provisional = provisional_field()
    provisional_rules = provisional_rules_field()


class ReadinessSerializer(serializers.Serializer):
    region = serializers.CharField(help_text=_("Kemendagri code."))
    region_name = serializers.CharField()
    year = serializers.IntegerField()
    ape = ApeScoreSerializer()
    kla = KlaScoreSerializer()
    kampung_kb = KampungKbScoreSerializer()


# --- assessments ------------------------------------------------------------------------------


class DesaValuesSerializer(serializers.Serializer):
    kampung_kb = serializers.BooleanField()
    capaian_kkbpk = serializers.BooleanField()
    kinerja_patbm = serializers.BooleanField()
    industri_rumahan = serializers.ChoiceField(choices=IndustriRumahan.values)
    akta_kelahiran_persen = number()
    program_lintas_sektor = serializers.IntegerField()
    kelas_bkkbn = serializers.ChoiceField(choices=KelasBkkbn.values, allow_null=True)
    indeks_input = serializers.IntegerField(allow_null=True)
    indeks_proses = serializers.IntegerField(allow_null=True)
    indeks_output = serializers.IntegerField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    carried_over = serializers.BooleanField(
        help_text=_("Verified value from last year; not new evidence.")
    )


@extend_schema_field(
    PolymorphicProxySerializer(
        component_name="AssessmentScore",
        serializers=[ApeScoreSerializer, KlaScoreSerializer, KampungKbScoreSerializer],
        resource_type_field_name=None,
    )
)
class ScoreField(serializers.JSONField):
    pass


class AssessmentSerializer(serializers.Serializer):
    program = serializers.ChoiceField(choices=Program.values)
    region = serializers.CharField()
    year = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Assessment.Status.values)
    version = serializers.IntegerField(
        help_text=_("Goes up with every change; send it back in If-Match to avoid overwriting.")
    )
    updated_at = serializers.DateTimeField()
    values = serializers.DictField(
        child=number(nullable=True),
        required=False,
        help_text=_("APE/KLA: the value of every indicator of the edition (null = not filled)."),
    )
    notes = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text=_("APE/KLA: the notes written on indicators."),
    )
    carried_over = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=_("APE/KLA: codes whose value was carried over from last year's verification."),
    )
    desa = serializers.DictField(
        child=DesaValuesSerializer(),
        required=False,
        help_text=_("Kampung KB: the entered row of each village, by village code."),
    )
    editable = serializers.ListField(
        child=serializers.CharField(),
        help_text=_(
            "What you may change now: indicator codes (APE/KLA) or village fields (Kampung KB)."
        ),
    )
    evidence_count = serializers.IntegerField(help_text=_("Evidence documents linked."))
    score = ScoreField(help_text=_("The score computed from the stored values right now."))


class AssessmentPatchSerializer(serializers.Serializer):
    """Documentation of the PATCH body; validation is done by the programme's write path."""

    values = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text=_(
            "APE/KLA: {indicator code: value} as JSON numbers; a ladder takes the option's "
            "points, a yes/no takes true/false or 1/0, null clears the value."
        ),
    )
    notes = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=NOTE_MAX_LENGTH),
        required=False,
        help_text=_("APE/KLA: {indicator code: note}; at most 2000 characters per note."),
    )
    desa = serializers.DictField(
        child=serializers.DictField(child=serializers.JSONField()),
        required=False,
        help_text=_(
            "Kampung KB: {village code: {field: value}}; only the given fields change. Yes/no "
            "fields take true/false, numbers are JSON numbers, a note at most 2000 characters."
        ),
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_(
            "The version you read (the alternative to the If-Match header; one of the two is "
            "required). An assessment not started yet has version 1."
        ),
    )


# --- meetings ---------------------------------------------------------------------------------


class ParticipantSerializer(serializers.Serializer):
    kind = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField(allow_null=True)


class IssueSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class MeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    date = serializers.DateField()
    time = serializers.TimeField(allow_null=True)
    venue = serializers.CharField()
    organiser = serializers.CharField()
    purpose = serializers.CharField(allow_blank=True)
    programs = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("Programmes the meeting serves: ape, kla, kampung_kb."),
    )
    regions = serializers.ListField(
        child=serializers.CharField(), help_text=_("Codes of the regions covered.")
    )
    issues = IssueSerializer(many=True)
    issues_other = serializers.CharField(allow_blank=True)
    participants = ParticipantSerializer(many=True)
    open_followups = serializers.IntegerField()
    overdue_followups = serializers.IntegerField()


class FollowUpSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    what = serializers.CharField()
    region = serializers.CharField()
    owner = serializers.CharField(help_text=_("Owner agency kind or agency (OPD)."))
    due_date = serializers.DateField()
    status = serializers.CharField(help_text=_("Follow-up status: open, in_progress or done."))
    overdue = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)


class MeetingDetailSerializer(MeetingSerializer):
    notes = serializers.CharField(allow_blank=True)
    source = serializers.CharField(allow_blank=True)
    followups = FollowUpSerializer(
        many=True, help_text=_("Follow-ups of the regions in your scope, earliest due first.")
    )


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField(allow_null=True)
    region = serializers.CharField(allow_null=True)
    opd_kind = serializers.CharField(allow_null=True)
