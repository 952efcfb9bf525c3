"""Forms for data entry: indicator values, evidence, workflow decisions, owner reassignment.

The forms only parse input (a choice, a number, a text); whether a value may be stored for an
indicator is decided by ``penilaian.services.validate_values``, whose messages the views put back
next to the fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from penilaian.evidence import ACCEPT
from penilaian.models import Assessment, Document, DocumentKind, Indicator, ReturnCategory
from penilaian.scoring import format_number
from penilaian.services import NOTE_MAX_LENGTH
from regions.models import OpdKind

VALUE_PREFIX = "v_"
NOTE_PREFIX = "n_"
REASON_PREFIX = "r_"
CATEGORY_PREFIX = "c_"
OWNER_PREFIX = "o_"


def value_field_name(code: str) -> str:
    return f"{VALUE_PREFIX}{code}"


def note_field_name(code: str) -> str:
    return f"{NOTE_PREFIX}{code}"


def indicator_value_field(indicator: Indicator) -> forms.Field:
    """The input for one indicator: a select for ladders and yes/no, a number otherwise."""
    if indicator.kind == Indicator.Kind.LADDER:
        choices: list[tuple[str, str]] = [("", _("— not filled in —"))]
        for option in indicator.options:
            points = format_number(Decimal(str(option.get("points", 0))))
            choices.append((points, f"{option.get('label', '')} ({points})"))
        return forms.ChoiceField(choices=choices, required=False)
    if indicator.kind == Indicator.Kind.YESNO:
        return forms.ChoiceField(
            choices=[("", _("— not filled in —")), ("1", _("Yes")), ("0", _("No"))],
            required=False,
        )
    maximum = 100 if indicator.kind == Indicator.Kind.PERCENT else indicator.max_score
    return forms.DecimalField(
        required=False,
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(
            attrs={"step": "0.01", "min": "0", "max": format_number(Decimal(maximum))}
        ),
    )


class ValuesForm(forms.Form):
    """Values and notes of the indicators the user may change, plus the version they saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, indicators: Sequence[Indicator], **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            field = indicator_value_field(indicator)
            field.label = indicator.code
            field.widget.attrs.setdefault("aria-describedby", f"help-{indicator.code}")
            self.fields[value_field_name(indicator.code)] = field
            self.fields[note_field_name(indicator.code)] = forms.CharField(
                required=False,
                max_length=NOTE_MAX_LENGTH,
                label=_("Note"),
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def values(self) -> dict[str, Decimal | None]:
        """Cleaned values by indicator code (None = not filled in)."""
        result: dict[str, Decimal | None] = {}
        for indicator in self.indicators:
            raw = self.cleaned_data.get(value_field_name(indicator.code))
            if raw in (None, ""):
                result[indicator.code] = None
            else:
                result[indicator.code] = Decimal(str(raw))
        return result

    def notes(self) -> dict[str, str]:
        return {
            indicator.code: (self.cleaned_data.get(note_field_name(indicator.code)) or "").strip()
            for indicator in self.indicators
        }

    def add_value_errors(self, errors: Mapping[str, object]) -> None:
        """Put messages keyed by indicator code next to their fields."""
        for code, message in errors.items():
            name = value_field_name(code)
            messages = message if isinstance(message, list | tuple) else [message]
            if name in self.fields:
                for text in messages:
                    self.add_error(name, str(text))
            else:
                for text in messages:
                    self.add_error(None, f"{code}: {text}")


def initial_values(
    indicators: Iterable[Indicator], answers: Mapping[int, object], version: int
) -> dict[str, object]:
    """Initial form data from the stored answers (keyed by indicator id)."""
    initial: dict[str, object] = {"version": version}
    for indicator in indicators:
        answer = answers.get(indicator.pk)
        if answer is None:
            continue
        if answer.value is not None:
            initial[value_field_name(indicator.code)] = format_number(answer.value)
        initial[note_field_name(indicator.code)] = answer.note
    return initial


class UploadForm(forms.Form):
    """Upload a new document, or pick one of the region's documents, for some indicators."""

    file = forms.FileField(
        label=_("File"),
        required=False,
        allow_empty_file=True,  # refused by penilaian.evidence with a clearer message
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("PDF, JPG/PNG, XLSX or DOCX, at most 10 MB."),
    )
    title = forms.CharField(label=_("Document title"), max_length=250, required=False)
    document = forms.ModelChoiceField(
        label=_("or an existing document of the region"),
        queryset=Document.objects.none(),
        required=False,
        empty_label=_("— none: upload a new file —"),
    )
    indicators = forms.MultipleChoiceField(
        label=_("For indicators"), choices=(), widget=forms.CheckboxSelectMultiple
    )
    doc_kind = forms.ChoiceField(
        label=_("Document kind"),
        choices=[("", "—"), *DocumentKind.choices],
        required=False,
    )
    number = forms.CharField(label=_("Document number"), max_length=120, required=False)
    issued_on = forms.DateField(
        label=_("Document date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty when the document does not expire."),
    )
    issuer = forms.CharField(label=_("Issued by"), max_length=200, required=False)

    METADATA = ("doc_kind", "number", "issued_on", "valid_until", "issuer")

    def __init__(self, *args, documents, indicator_choices: Sequence[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = documents
        self.fields["indicators"].choices = list(indicator_choices)
        self.fields["indicators"].error_messages["required"] = _("Choose at least one indicator.")

    def clean(self):
        cleaned = super().clean()
        has_file = bool(cleaned.get("file"))
        has_document = cleaned.get("document") is not None
        if has_file == has_document:
            raise forms.ValidationError(
                _("Upload a file or choose an existing document (one of the two).")
            )
        issued, valid = cleaned.get("issued_on"), cleaned.get("valid_until")
        if issued and valid and valid < issued:
            self.add_error("valid_until", _("The validity cannot end before the document date."))
        return cleaned

    def metadata(self) -> dict[str, object]:
        """The document metadata given (only the fields that were filled in)."""
        return {
            name: self.cleaned_data[name]
            for name in self.METADATA
            if self.cleaned_data.get(name) not in (None, "")
        }


class ReturnForm(forms.Form):
    """Reasons per returned indicator (or desa): categories from the taxonomy and a text;
    plus an optional general note."""

    note = forms.CharField(
        label=_("General note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args,
        items: Sequence[tuple[str, str]],
        categories: Sequence[ReturnCategory] = (),
        **kwargs,
    ):
        """``items``: (key, label) of the indicators or desa that can be returned."""
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.categories = list(categories)
        self.text_required = {c.code: c.name for c in self.categories if c.requires_text}
        choices = [(c.code, c.name) for c in self.categories]
        for key, label in self.items:
            self.fields[f"{CATEGORY_PREFIX}{key}"] = forms.MultipleChoiceField(
                label=label,
                required=False,
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
            )
            self.fields[f"{REASON_PREFIX}{key}"] = forms.CharField(
                label=label,
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 1}),
            )

    def reasons(self) -> dict[str, tuple[tuple[str, ...], str]]:
        """(category codes, text) of every returned item, keyed by indicator or desa code."""
        result = {}
        for key, _label in self.items:
            codes = tuple(self.cleaned_data.get(f"{CATEGORY_PREFIX}{key}") or ())
            text = (self.cleaned_data.get(f"{REASON_PREFIX}{key}") or "").strip()
            if codes or text:
                result[key] = (codes, text)
        return result

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        for key, (codes, text) in self.reasons().items():
            needing = [self.text_required[c] for c in codes if c in self.text_required]
            if needing and not text:
                self.add_error(
                    f"{REASON_PREFIX}{key}",
                    _("Explain the reason “%(name)s” in the text field.") % {"name": needing[0]},
                )
        if not self.errors and not self.reasons() and not (cleaned.get("note") or "").strip():
            raise forms.ValidationError(
                _("Give a reason for each returned indicator (at least one) before returning.")
            )
        return cleaned


class ReasonForm(forms.Form):
    """A required reason (admin unlock)."""

    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    to_status = forms.ChoiceField(
        label=_("Back to"),
        choices=[
            (Assessment.Status.DRAFT, Assessment.Status.DRAFT.label),
            (Assessment.Status.RETURNED, Assessment.Status.RETURNED.label),
        ],
        initial=Assessment.Status.DRAFT,
    )


class OwnerForm(forms.Form):
    """A region's owner OPD per indicator code, with the reason for changing."""

    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=100,
        required=False,  # required only when an owner changes (checked by the view)
        widget=forms.TextInput(),
        help_text=_("Kept in the history with the change."),
    )

    def __init__(
        self,
        *args,
        indicators: Sequence[Indicator],
        kinds: Sequence[OpdKind],
        current: Mapping[str, int | None],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        choices = [(str(kind.pk), kind.short) for kind in kinds]
        for indicator in self.indicators:
            owner = current.get(indicator.code)
            self.fields[f"{OWNER_PREFIX}{indicator.code}"] = forms.TypedChoiceField(
                label=indicator.code,
                choices=choices,
                coerce=int,
                initial=str(owner) if owner else "",
                required=True,
            )

    def owners(self) -> dict[str, int]:
        return {
            indicator.code: self.cleaned_data[f"{OWNER_PREFIX}{indicator.code}"]
            for indicator in self.indicators
        }
