"""The single write path for Kampung KB desa rows (forms, API, import), and their carry-over.

Rows are keyed by ``kode_desa``; each holds the fields of contract §3. Built like
``penilaian.services.save_values``: scope checks, a locked assessment takes no edits, every
field validated (``kampung_kb.scoring.validate_row`` plus parsing of yes/no and numbers), all or
nothing, optimistic concurrency on the assessment's ``version``, history with user and reason.

Field ownership: each Babel criterion has an indicator in the Kampung KB catalog (``KKB-KKBPK``,
``KKB-PATBM``, ``KKB-IR``, ``KKB-AKTA``, ``KKB-LINTAS``) whose owner OPD (default or the region's
override) may change that field; the designation, the BKKBN class and indices and the note belong
to the owner of ``KKB-KKBPK`` (the office for family planning). A koordinator and the admin
change every field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from kampung_kb.models import DATA_FIELDS, INDEX_FIELDS, YESNO_FIELDS, DesaRecord
from kampung_kb.scoring import BkkbnClass, validate_row
from penilaian.models import Assessment, Edition, Program
from penilaian.queries import load_catalog, load_owner_overrides
from penilaian.services import (
    HISTORY_REASON_MAX,
    NO,
    YES,
    SaveResult,
    finish_save,
    lock_for_save,
    note_error,
    write_with_history,
)
from penilaian.services import get_or_create_assessment as _get_or_create_assessment
from regions.models import Desa, Region
from regions.scoping import Scope

BOOL_FIELDS = YESNO_FIELDS
FIELDS = (*DATA_FIELDS, "note")
FIELD_CRITERION = {
    "capaian_kkbpk": "KKB-KKBPK",
    "kinerja_patbm": "KKB-PATBM",
    "industri_rumahan": "KKB-IR",
    "akta_kelahiran_persen": "KKB-AKTA",
    "program_lintas_sektor": "KKB-LINTAS",
}
DEFAULT_CRITERION = "KKB-KKBPK"
SMALLINT_MAX = 32767

DesaErrors = dict[str, dict[str, list[str]]]


class InvalidRows(ValidationError):
    """Some desa rows were refused; nothing was written.

    ``errors`` maps ``kode_desa`` (or ``"__all__"`` for the whole assessment) to
    {field or ``"__all__"``: [messages]}; ``forbidden`` holds (kode_desa, field) pairs the user
    may not change (an API answers 403 for them).
    """

    def __init__(self, errors: DesaErrors, forbidden: set[tuple[str, str]] | None = None):
        self.errors = {code: dict(fields) for code, fields in errors.items()}
        self.forbidden = frozenset(forbidden or ())
        flat = {
            f"{code}.{name}" if name != NON_FIELD_ERRORS else code: messages
            for code, fields in errors.items()
            for name, messages in fields.items()
        }
        super().__init__(flat)


@dataclass(frozen=True)
class DesaCarry:
    """Rows carried into a new Kampung KB assessment.

    ``carried``: desa codes copied from last year's verified rows; ``not_in_region``: codes
    of last year's rows whose desa no longer belongs to the region; ``without_row``: desa of the
    region that had no row last year (to be entered).
    """

    carried: tuple[str, ...] = ()
    not_in_region: tuple[str, ...] = ()
    without_row: tuple[str, ...] = ()


def _require_kampung_kb(assessment: Assessment) -> Edition:
    edition = assessment.edition
    if edition.program != Program.KAMPUNG_KB:
        raise ValueError("APE and KLA values are saved with penilaian.services.save_values.")
    return edition


# --- parsing ----------------------------------------------------------------------------------


def _parse_bool(raw: object) -> tuple[bool | None, str | None]:
    if isinstance(raw, bool):
        return raw, None
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw), None
    text = str(raw).strip().lower() if raw is not None else ""
    if text in YES:
        return True, None
    if text in NO:
        return False, None
    return None, _("Enter yes or no (ya/tidak).")


def _normalise(name: str, raw: object) -> object:
    """Tidy text input before validation: trim, lower-case stages, canonical BKKBN class."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if name == "industri_rumahan":
        return text.lower().replace(" ", "_")
    if name == "kelas_bkkbn":
        return next((c.value for c in BkkbnClass if c.value.lower() == text.lower()), text)
    if name in ("akta_kelahiran_persen", *INDEX_FIELDS, "program_lintas_sektor"):
        text = text.rstrip("%").strip() if name == "akta_kelahiran_persen" else text
        return text.replace(",", ".") if "." not in text else text
    return text


def _number(raw: object) -> Decimal:
    return raw if isinstance(raw, Decimal) else Decimal(str(raw))


NUMBER_FIELDS = ("akta_kelahiran_persen", "program_lintas_sektor", *INDEX_FIELDS)
TEXT_FIELDS = ("industri_rumahan", "kelas_bkkbn")


def _type_error(name: str, raw: object) -> str | None:
    """For JSON input (``typed``): why ``raw`` has the wrong JSON type for ``name``, or None."""
    if name in BOOL_FIELDS:
        if isinstance(raw, bool) or (isinstance(raw, int) and raw in (0, 1)):
            return None
        return _("Send true or false.")
    if name in NUMBER_FIELDS:
        if raw is None and name in INDEX_FIELDS:
            return None
        if isinstance(raw, bool):
            return _("Send a number, not true/false.")
        if isinstance(raw, int | float | Decimal):
            return None
        return _("Send the value as a number, not as text.")
    if name in TEXT_FIELDS:
        if isinstance(raw, str) or (raw is None and name == "kelas_bkkbn"):
            return None
        return _("Send the value as text.")
    return None


def parse_row(
    fields: Mapping[str, object], *, typed: bool = False
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(values ready to store, errors per field) for one desa's submitted fields.

    ``typed`` (the API): the fields come from JSON, so each must have its JSON type (true/false,
    a number, a text); text is not read as a number or a yes/no there.
    """
    errors: dict[str, list[str]] = {}
    parsed: dict[str, Any] = {}
    for name in fields:
        if name not in FIELDS:
            errors.setdefault(str(name), []).append(_("Unknown field."))
        elif typed and (error := _type_error(name, fields[name])) is not None:
            errors.setdefault(name, []).append(error)
    fields = {name: raw for name, raw in fields.items() if name not in errors}
    for name in BOOL_FIELDS:
        if name in fields:
            value, error = _parse_bool(fields[name])
            if error:
                errors.setdefault(name, []).append(error)
            else:
                parsed[name] = value
    others = {
        name: _normalise(name, fields[name])
        for name in FIELDS
        if name in fields and name not in BOOL_FIELDS and name != "note"
    }
    for name, message in validate_row(others).items():
        errors.setdefault(name, []).append(message)
    for name, raw in others.items():
        if name in errors:
            continue
        if name == "industri_rumahan":
            parsed[name] = raw
        elif name == "kelas_bkkbn":
            parsed[name] = raw or ""
        elif name == "akta_kelahiran_persen":
            number = _number(raw)
            if number.as_tuple().exponent < -2:  # type: ignore[operator]
                errors.setdefault(name, []).append(_("Use at most 2 decimal places."))
            else:
                parsed[name] = number
        elif name == "program_lintas_sektor":
            number = _number(raw)
            if number > SMALLINT_MAX:
                errors.setdefault(name, []).append(
                    _("At most %(max)s programmes.") % {"max": SMALLINT_MAX}
                )
            else:
                parsed[name] = int(number)
        else:  # an index: blank means not measured
            parsed[name] = None if raw in (None, "") else int(_number(raw))
    if "note" in fields:
        error = note_error(fields["note"])
        if error is None:
            parsed["note"] = (fields["note"] or "").strip()  # type: ignore[union-attr]
        else:
            errors.setdefault("note", []).append(error)
    return parsed, errors


# --- validation and saving --------------------------------------------------------------------


def _field_owners(assessment: Assessment, edition: Edition) -> dict[str, str | None]:
    catalog = load_catalog(edition)
    overrides = load_owner_overrides([assessment.region_id]).get(assessment.region_id, {})
    owners = catalog.owners(overrides)
    return {name: owners.get(FIELD_CRITERION.get(name, DEFAULT_CRITERION)) for name in FIELDS}


def _check(
    assessment: Assessment,
    edition: Edition,
    desa: Mapping[str, Mapping[str, object]],
    scope: Scope,
    typed: bool = False,
) -> tuple[DesaErrors, dict[str, dict[str, Any]], dict[str, int], set[tuple[str, str]]]:
    if not scope.can_edit_region(assessment.region_id):
        raise PermissionDenied(_("You cannot change the data of this region."))
    errors: DesaErrors = {}
    if assessment.is_locked:
        message = (
            _("This assessment has been verified and is locked; it cannot be changed.")
            if assessment.status == Assessment.Status.VERIFIED
            else _("This assessment has been submitted and is locked; it cannot be changed.")
        )
        errors[NON_FIELD_ERRORS] = {NON_FIELD_ERRORS: [message]}
    owners = _field_owners(assessment, edition)
    codes = [str(code).strip() for code in desa]
    known: dict[str, int] = {}
    ids: dict[str, int] = {}
    for code, region_id, pk in (
        Desa.objects.filter(code__in=codes).order_by().values_list("code", "region_id", "id")
    ):
        known[code], ids[code] = region_id, pk
    parsed_rows: dict[str, dict[str, Any]] = {}
    forbidden: set[tuple[str, str]] = set()
    for raw_code, fields in desa.items():
        code = str(raw_code).strip()
        if code not in known:
            errors.setdefault(code, {}).setdefault(NON_FIELD_ERRORS, []).append(
                _("Unknown village code.")
            )
            continue
        if known[code] != assessment.region_id:
            errors.setdefault(code, {}).setdefault(NON_FIELD_ERRORS, []).append(
                _("This village is not in %(region)s.") % {"region": assessment.region.name}
            )
            continue
        if not isinstance(fields, Mapping):
            errors.setdefault(code, {}).setdefault(NON_FIELD_ERRORS, []).append(
                _("Give the village's fields as an object.")
            )
            continue
        for name in fields:
            if name in FIELDS and not scope.can_edit_indicator(
                assessment.region_id, owners.get(name)
            ):
                forbidden.add((code, name))
                errors.setdefault(code, {}).setdefault(name, []).append(
                    _("This field belongs to another agency (OPD); you cannot change it.")
                )
        parsed, field_errors = parse_row(fields, typed=typed)
        for name, messages in field_errors.items():
            errors.setdefault(code, {}).setdefault(name, []).extend(messages)
        parsed_rows[code] = parsed
    return errors, parsed_rows, ids, forbidden


def validate_desa_rows(
    assessment: Assessment,
    desa: Mapping[str, Mapping[str, object]],
    scope: Scope,
    *,
    typed: bool = False,
) -> DesaErrors:
    """Errors per kode_desa and field (``"__all__"`` for whole rows / the assessment); {} if valid.

    Raises :class:`PermissionDenied` when the scope cannot edit the region. Writes nothing.
    """
    edition = _require_kampung_kb(assessment)
    errors, _rows, _ids, _forbidden = _check(assessment, edition, desa, scope, typed)
    return errors


def save_desa_rows(
    assessment: Assessment,
    desa: Mapping[str, Mapping[str, object]],
    *,
    user,
    scope: Scope,
    expected_version: int | None = None,
    reason: str = "",
    typed: bool = False,
) -> SaveResult:
    """Validate and store desa rows (kode_desa → {field: raw value}), all or nothing.

    ``typed`` (the API): the fields come from JSON and must have their JSON types.

    Only the given fields change; a new row takes the model defaults for the others. Raises
    :class:`InvalidRows`, :class:`~penilaian.services.StaleAssessment` or ``PermissionDenied``.
    Changed rows lose their "carried over" mark; when anything changed the assessment's version
    goes up by one (``assessment.version`` is updated in place). ``SaveResult.changed`` lists the
    changed desa codes.
    """
    with transaction.atomic():
        locked = lock_for_save(assessment, scope, expected_version)
        edition = _require_kampung_kb(locked)
        errors, parsed_rows, ids, forbidden = _check(locked, edition, desa, scope, typed)
        if errors:
            raise InvalidRows(errors, forbidden)
        existing = {
            record.desa_id: record
            for record in DesaRecord.objects.filter(
                assessment=locked, desa_id__in=[ids[code] for code in parsed_rows]
            )
        }
        now = timezone.now()
        to_create: list[DesaRecord] = []
        to_update: list[DesaRecord] = []
        changed: list[str] = []
        for code, parsed in parsed_rows.items():
            record = existing.get(ids[code])
            if record is None:
                if not parsed:
                    continue
                record = DesaRecord(assessment=locked, desa_id=ids[code], updated_at=now)
                for name, value in parsed.items():
                    setattr(record, name, value)
                to_create.append(record)
                changed.append(code)
                continue
            dirty = [name for name, value in parsed.items() if getattr(record, name) != value]
            if dirty:
                for name in dirty:
                    setattr(record, name, parsed[name])
                record.carried_over = False
                record.updated_at = now
                to_update.append(record)
                changed.append(code)
        if not changed:
            return SaveResult(locked, ())
        write_with_history(
            locked,
            DesaRecord,
            to_create,
            to_update,
            [*FIELDS, "carried_over", "updated_at"],
            user=user,
            reason=reason or _("Village data changed"),
            keys=changed,
        )
    return finish_save(assessment, locked, changed)


def get_or_create_assessment(
    edition: Edition, region: Region, *, user=None, scope: Scope | None = None
) -> Assessment:
    """The region's Kampung KB assessment for ``edition`` (started with last year's rows)."""
    if edition.program != Program.KAMPUNG_KB:
        raise ValueError("Not a Kampung KB edition.")
    return _get_or_create_assessment(edition, region, user=user, scope=scope)


def freeze_snapshot(assessment: Assessment, user):
    """Same as ``penilaian.services.freeze_snapshot`` (which uses the Kampung KB builder)."""
    from penilaian.services import freeze_snapshot as _freeze

    return _freeze(assessment, user)


# --- carry-over -------------------------------------------------------------------------------


def carry_desa_rows(new: Assessment, source: Assessment | None, *, user) -> DesaCarry:
    """Copy last year's verified rows (``source``) into ``new``, marked as carried over.

    Rows of desa that no longer belong to the region are left behind; desa without a row last
    year are listed. Called by ``penilaian.carry.start_assessment`` through the programme hook.
    """
    region_desa = dict(
        Desa.objects.filter(region_id=new.region_id).order_by("code").values_list("id", "code")
    )
    if source is None:
        return DesaCarry(without_row=tuple(region_desa.values()))
    old = list(
        DesaRecord.objects.filter(assessment=source).select_related("desa").order_by("desa__code")
    )
    copies = []
    carried, elsewhere = [], []
    for record in old:
        if record.desa_id not in region_desa:
            elsewhere.append(record.desa.code)
            continue
        copy = DesaRecord(assessment=new, desa_id=record.desa_id, carried_over=True)
        for name in FIELDS:
            if name != "note":
                setattr(copy, name, getattr(record, name))
        copies.append(copy)
        carried.append(record.desa.code)
    if copies:
        reason = _("Carried over from the verified assessment of %(year)s") % {
            "year": source.edition.year
        }
        bulk_create_with_history(
            copies,
            DesaRecord,
            default_user=user if getattr(user, "pk", None) else None,
            default_change_reason=reason[:HISTORY_REASON_MAX],
        )
    with_row = {record.desa_id for record in old}
    return DesaCarry(
        carried=tuple(carried),
        not_in_region=tuple(elsewhere),
        without_row=tuple(code for pk, code in region_desa.items() if pk not in with_row),
    )
