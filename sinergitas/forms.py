"""Forms for meetings, their participants, follow-ups, documents and evidence links.

Upload checks (type by content, size, emptiness) are the shared ones in
:mod:`penilaian.evidence`, so a meeting document and an indicator's evidence obey the same rules.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from penilaian import evidence
from penilaian.models import Assessment, Document, EvidenceLink, Indicator
from regions.models import Opd, Region
from regions.scoping import Scope
from sinergitas.models import (
    FollowUp,
    IssueTopic,
    Meeting,
    MeetingDocument,
    ParticipantKind,
    Participation,
)
from sinergitas.queries import PROGRAMME_FIELD, MeetingFilters, editable_regions


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


def label_blank_choices(form: forms.Form, label: str) -> None:
    """Name the empty choice of every select ("Semua" in a filter, "— pilih —" in a form),
    never Django's "---------"."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField) and not isinstance(
            field, forms.ModelMultipleChoiceField
        ):
            if field.empty_label is not None:
                field.empty_label = label
        elif isinstance(field, forms.ChoiceField) and not isinstance(
            field, forms.MultipleChoiceField
        ):
            field.choices = [
                ("", label) if value == "" else (value, text) for value, text in field.choices
            ]


class MeetingForm(forms.ModelForm):
    """A meeting with its regions, programmes, issues and participant counts.

    A koordinator may only put their own region on a meeting; regions they do not manage that a
    meeting already covers are kept as they are.
    """

    required_css_class = "required"  # marked with * (static/css/app.css)

    class Meta:
        model = Meeting
        fields = [
            "title",
            "regions",
            "date",
            "time",
            "venue",
            "organiser",
            "purpose",
            "serves_ape",
            "serves_kla",
            "serves_kampung_kb",
            "issues",
            "issues_other",
            "notes",
            "source",
        ]
        widgets = {
            "regions": forms.CheckboxSelectMultiple,
            "issues": forms.CheckboxSelectMultiple,
            "date": DateInput,
            "time": TimeInput,
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "issues_other": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.allowed_regions = editable_regions(scope)
        self.fields["regions"].queryset = self.allowed_regions
        self.fields["regions"].help_text = _("The regencies/cities this meeting covers.")
        issues = Q(active=True)
        if self.instance.pk:
            issues |= Q(meetings=self.instance)
        self.fields["issues"].queryset = IssueTopic.objects.filter(issues).distinct()
        allowed_ids = set(self.allowed_regions.values_list("pk", flat=True))
        self.allowed_region_ids = allowed_ids
        if self.instance.pk:
            self.initial["regions"] = [
                r.pk for r in self.instance.regions.all() if r.pk in allowed_ids
            ]
        elif scope.region_id in allowed_ids:
            self.initial["regions"] = [scope.region_id]
        label_blank_choices(self, _("— choose —"))
        self.participant_kinds = self._participant_kinds()
        current = (
            {p.kind_id: p for p in self.instance.participations.all()} if self.instance.pk else {}
        )
        for kind in self.participant_kinds:
            self.fields[f"present_{kind.code}"] = forms.BooleanField(
                label=kind.name, required=False
            )
            self.fields[f"count_{kind.code}"] = forms.IntegerField(
                label=_("Number of %(kind)s") % {"kind": kind.name},
                min_value=0,
                max_value=100000,
                required=False,
            )
            if kind.pk in current:
                self.initial[f"present_{kind.code}"] = True
                self.initial[f"count_{kind.code}"] = current[kind.pk].count

    def _participant_kinds(self) -> list[ParticipantKind]:
        wanted = Q(active=True)
        if self.instance.pk:
            wanted |= Q(participation__meeting=self.instance)
        return list(ParticipantKind.objects.filter(wanted).distinct().order_by("order", "name"))

    def participant_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """(present, count) bound fields per participant kind, for the template."""
        return [
            (self[f"present_{kind.code}"], self[f"count_{kind.code}"])
            for kind in self.participant_kinds
        ]

    def clean(self):
        cleaned = super().clean()
        for kind in self.participant_kinds:
            if cleaned.get(f"count_{kind.code}") is not None:
                cleaned[f"present_{kind.code}"] = True
        return cleaned

    def _kept_regions(self) -> list[Region]:
        """Regions the meeting covers that this user may not change (kept as they are)."""
        if not self.instance.pk:
            return []
        return [r for r in self.instance.regions.all() if r.pk not in self.allowed_region_ids]

    def save(self, commit: bool = True) -> Meeting:
        kept = self._kept_regions()
        meeting = super().save(commit=False)
        if not commit:
            return meeting
        meeting.save()
        meeting.regions.set([*kept, *self.cleaned_data["regions"]])
        meeting.issues.set(self.cleaned_data["issues"])
        wanted = {
            kind.pk: self.cleaned_data.get(f"count_{kind.code}")
            for kind in self.participant_kinds
            if self.cleaned_data.get(f"present_{kind.code}")
        }
        existing = {p.kind_id: p for p in meeting.participations.all()}
        for kind_id, participation in existing.items():
            if kind_id not in wanted:
                participation.delete()
            elif participation.count != wanted[kind_id]:
                participation.count = wanted[kind_id]
                participation.save(update_fields=["count"])
        Participation.objects.bulk_create(
            Participation(meeting=meeting, kind_id=kind_id, count=count)
            for kind_id, count in wanted.items()
            if kind_id not in existing
        )
        return meeting


class FollowUpForm(forms.ModelForm):
    """A follow-up of one of the meeting's regions that this user may manage.

    The owner is ONE choice: the OPD (its kind follows from it). A follow-up stored with only
    an agency kind (older records, the admin, the demo) opens with that kind's OPD of its region
    chosen and is saved with the OPD. A post that still names ``owner_kind`` instead of
    ``owner_opd`` (an older form or script) is read the same way.
    """

    required_css_class = "required"  # marked with * (static/css/app.css)

    class Meta:
        model = FollowUp
        fields = ["what", "region", "owner_opd", "due_date", "status", "note"]
        widgets = {
            "what": forms.Textarea(attrs={"rows": 2}),
            "note": forms.Textarea(attrs={"rows": 2}),
            "due_date": DateInput,
        }

    def __init__(self, *args, meeting: Meeting, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.meeting = meeting
        covered = meeting.regions.all()
        if not scope.is_admin:
            covered = covered.filter(pk=scope.region_id)
        self.fields["region"].queryset = covered
        owner = self.fields["owner_opd"]
        owner.queryset = Opd.objects.filter(region__in=covered).select_related("region", "kind")
        owner.required = True
        owner.error_messages["required"] = _("Choose the agency (OPD) responsible.")
        owner.label = _("Owner agency (OPD)")
        owner.help_text = _("The agency (OPD) of the region that carries it out.")
        owner.error_messages["invalid_choice"] = _(
            "Choose an agency (OPD) of the meeting's regions from the list."
        )
        if self.instance.pk and self.instance.owner_kind_id and not self.instance.owner_opd_id:
            self.initial["owner_opd"] = (
                Opd.objects.filter(
                    region_id=self.instance.region_id, kind_id=self.instance.owner_kind_id
                )
                .values_list("pk", flat=True)
                .first()
            )
        if len(covered) == 1 and not self.instance.pk:
            # one region to choose from: chosen already
            self.initial["region"] = self.initial.get("region") or covered[0].pk
        label_blank_choices(self, _("— choose —"))
        if self.is_bound:
            self._read_posted_kind()

    def _read_posted_kind(self) -> None:
        """An older post names the agency kind (``owner_kind``) instead of the OPD: choose that
        kind's OPD of the posted region (an unknown kind or region is left to the checks)."""
        name, kind_name = self.add_prefix("owner_opd"), self.add_prefix("owner_kind")
        kind, region = self.data.get(kind_name), self.data.get(self.add_prefix("region"))
        if self.data.get(name) or not str(kind or "").isdigit() or not str(region).isdigit():
            return
        opd = (
            self.fields["owner_opd"]
            .queryset.filter(region_id=int(region), kind_id=int(kind))
            .values_list("pk", flat=True)
            .first()
        )
        if opd is not None:
            self.data = self.data.copy()
            self.data[name] = str(opd)

    def clean(self):
        cleaned = super().clean()
        opd, region = cleaned.get("owner_opd"), cleaned.get("region")
        if opd is not None and region is not None and opd.region_id != region.pk:
            self.add_error(
                "owner_opd",
                _("%(opd)s is not an agency of %(region)s; choose one of that region.")
                % {"opd": opd.name, "region": region.name},
            )
        return cleaned

    def _post_clean(self):
        # The kind follows from the OPD: a follow-up owned by a kind becomes owned by its OPD.
        if self.cleaned_data.get("owner_opd") is not None:
            self.instance.owner_kind = None
        super()._post_clean()


class DocumentUploadForm(forms.Form):
    """One file (PDF, JPG/PNG, XLSX, DOCX; at most 10 MB) attached to a meeting."""

    required_css_class = "required"  # marked with * (static/css/app.css)

    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPG/PNG, XLSX or DOCX, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": evidence.ACCEPT}),
    )
    title = forms.CharField(label=_("Title"), max_length=250, required=False)
    role = forms.ChoiceField(
        label=_("Document role"),
        choices=MeetingDocument.Role.choices,
        initial=MeetingDocument.Role.MINUTES,
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        evidence.validate_upload(uploaded)
        return uploaded


class EvidenceLinkForm(forms.Form):
    """Let a meeting document back an indicator of an assessment of a covered region."""

    required_css_class = "required"  # marked with * (static/css/app.css)

    document = forms.ModelChoiceField(label=_("Document"), queryset=Document.objects.none())
    assessment = forms.ModelChoiceField(label=_("Assessment"), queryset=Assessment.objects.none())
    indicator_code = forms.CharField(
        label=_("Indicator code"),
        max_length=20,
        help_text=_("For example KLA-KL-01."),
    )

    def __init__(self, *args, documents: QuerySet, assessments: QuerySet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = documents
        self.fields["assessment"].queryset = assessments
        self.fields["assessment"].label_from_instance = lambda a: f"{a.edition} — {a.region.name}"
        label_blank_choices(self, _("— choose —"))

    def clean(self):
        cleaned = super().clean()
        assessment = cleaned.get("assessment")
        code = (cleaned.get("indicator_code") or "").strip().upper()
        if assessment is None or not code:
            return cleaned
        indicator = Indicator.objects.filter(edition_id=assessment.edition_id, code=code).first()
        if indicator is None:
            self.add_error(
                "indicator_code",
                _("There is no indicator %(code)s in %(edition)s.")
                % {"code": code, "edition": assessment.edition},
            )
            return cleaned
        cleaned["indicator"] = indicator
        document = cleaned.get("document")
        if (
            document is not None
            and EvidenceLink.objects.filter(
                document=document, assessment=assessment, indicator=indicator
            ).exists()
        ):
            raise ValidationError(_("This document already backs that indicator."))
        return cleaned


class MeetingFilterForm(forms.Form):
    """List filters: region, programme, issue, date range (all optional)."""

    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.none(), required=False
    )
    programme = forms.ChoiceField(
        label=_("Programme"),
        required=False,
        choices=[("", _("All"))]
        + [(code, label) for code, _field, label in Meeting.PROGRAMME_FIELDS],
    )
    issue = forms.ModelChoiceField(
        label=_("Issue"), queryset=IssueTopic.objects.all(), required=False
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = scope.regions()
        self.fields["region"].to_field_name = "code"
        label_blank_choices(self, _("All"))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
            cleaned.pop("date_to", None)
        return cleaned

    def filters(self) -> MeetingFilters:
        """The valid filters (an invalid field is ignored and shown with its error)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        programme = data.get("programme") or None
        return MeetingFilters(
            region=data.get("region"),
            programme=programme if programme in PROGRAMME_FIELD else None,
            issue=data.get("issue"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
