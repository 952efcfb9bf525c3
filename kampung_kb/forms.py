"""The Kampung KB data-entry form: one page of desa rows, a field per desa and column.

The form only parses input (a choice, a number as text); whether a row may be stored is decided
by ``kampung_kb.services.save_desa_rows``, whose messages the page puts back next to the fields.
"""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext as _

from kampung_kb.models import DesaRecord, IndustriRumahan, KelasBkkbn
from penilaian.scoring import format_number

DESA_SEPARATOR = "__"

# (field name, label, kind, choices); kind is "choice" or "number".
Column = tuple[str, str, str, list[tuple[str, str]]]


def desa_field_name(desa_code: str, name: str) -> str:
    """The form field of one desa's column: ``19.01.03.2001__kampung_kb``."""
    return f"{desa_code}{DESA_SEPARATOR}{name}"


def desa_columns() -> list[Column]:
    """The columns of the desa table, in the order of contract §3 (labels translated now)."""
    meta = DesaRecord._meta
    yes_no = [("ya", _("Yes")), ("tidak", _("No"))]
    index = [(str(n), str(n)) for n in range(1, 5)]

    def label(name: str) -> str:
        return str(meta.get_field(name).verbose_name)

    return [
        ("kampung_kb", _("Kampung KB"), "choice", yes_no),
        ("capaian_kkbpk", label("capaian_kkbpk"), "choice", yes_no),
        ("kinerja_patbm", label("kinerja_patbm"), "choice", yes_no),
        ("industri_rumahan", label("industri_rumahan"), "choice", IndustriRumahan.choices),
        ("akta_kelahiran_persen", label("akta_kelahiran_persen"), "number", []),
        ("program_lintas_sektor", label("program_lintas_sektor"), "number", []),
        ("kelas_bkkbn", label("kelas_bkkbn"), "choice", KelasBkkbn.choices),
        ("indeks_input", label("indeks_input"), "choice", index),
        ("indeks_proses", label("indeks_proses"), "choice", index),
        ("indeks_output", label("indeks_output"), "choice", index),
    ]


def desa_initial(row) -> dict[str, str]:
    """The form's text for a stored desa row (empty when there is no row)."""
    if row is None:
        return {}

    def yes_no(flag: bool) -> str:
        return "ya" if flag else "tidak"

    def text(value) -> str:
        return "" if value is None else str(value)

    return {
        "kampung_kb": yes_no(row.kampung_kb),
        "capaian_kkbpk": yes_no(row.capaian_kkbpk),
        "kinerja_patbm": yes_no(row.kinerja_patbm),
        "industri_rumahan": row.industri_rumahan,
        "akta_kelahiran_persen": format_number(row.akta_kelahiran_persen),
        "program_lintas_sektor": str(row.program_lintas_sektor),
        "kelas_bkkbn": row.kelas_bkkbn or "",
        "indeks_input": text(row.indeks_input),
        "indeks_proses": text(row.indeks_proses),
        "indeks_output": text(row.indeks_output),
    }


class DesaRowsForm(forms.Form):
    """One page of Kampung KB desa rows; only the fields the user may change are inputs.

    ``columns`` are :func:`desa_columns` entries; values stay text here and are parsed and
    validated by the Kampung KB write path.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, desa_codes: Sequence[str], columns: Sequence[Column], **kwargs):
        super().__init__(*args, **kwargs)
        self.desa_codes = list(desa_codes)
        self.columns = list(columns)
        for code in self.desa_codes:
            for name, label, kind, choices in self.columns:
                if kind == "choice":
                    field: forms.Field = forms.ChoiceField(
                        choices=[("", "—"), *choices], required=False
                    )
                else:
                    field = forms.CharField(
                        required=False,
                        max_length=20,
                        widget=forms.NumberInput(attrs={"step": "any", "min": "0"}),
                    )
                field.label = f"{label} {code}"
                self.fields[desa_field_name(code, name)] = field

    def changed_rows(self) -> dict[str, dict[str, str]]:
        """Changed fields per desa code (raw text), for the Kampung KB write path."""
        rows: dict[str, dict[str, str]] = {}
        for name in self.changed_data:
            if DESA_SEPARATOR not in name:
                continue
            code, field_name = name.rsplit(DESA_SEPARATOR, 1)
            rows.setdefault(code, {})[field_name] = self.cleaned_data.get(name) or ""
        return rows
