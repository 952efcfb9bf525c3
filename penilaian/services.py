"""The single write path for APE and KLA indicator values, and the "as verified" snapshot.

Forms, the API and the Excel import all change values through :func:`save_values` (after an
optional :func:`validate_values` preview), so every caller gets the same rules:

* the user's scope must allow editing the region (else :class:`PermissionDenied`);
* every code must exist in the edition and be owned (for this region) by an OPD the user may
  change; a submitted or verified assessment takes no edits;
* every value must be valid for its indicator (``penilaian.scoring.validate_value``);
* all or nothing: one invalid value and nothing is written (:class:`InvalidValues`);
* optimistic concurrency: a save based on an old ``version`` is refused (:class:`StaleAssessment`);
* every change is recorded by simple_history with the user and the reason; a changed answer is no
  longer "carried over".

Kampung KB rows have their own write path in ``kampung_kb.services`` built the same way.

Programme apps may register :class:`~penilaian.hooks.ProgramHooks` (a snapshot builder, a
carry-over step) with :func:`~penilaian.hooks.register_program_hooks` in their ``readiness``
module (re-exported here); :func:`~penilaian.hooks.program_hooks` discovers those modules, so the
shared mechanism calls programme code without importing it.

Imports go one way inside the app: ``services`` → ``carry`` (a new year's assessment) →
``hooks``; ``carry`` never imports ``services`` (tests/test_architecture.py checks for circles).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from penilaian import scoring
from penilaian.carry import AssessmentExists, start_assessment
from penilaian.fixes import record_changes
from penilaian.hooks import (
    HISTORY_REASON_MAX,
    ProgramHooks,
    program_hooks,
    register_program_hooks,
)
from penilaian.models import Answer, Assessment, Edition, Program, VerifiedSnapshot
from penilaian.queries import (
    AssessmentData,
    CatalogData,
    load_assessment,
    load_catalog,
    load_owner_overrides,
)
from penilaian.versions import assessments_changed
from regions.models import Region
from regions.scoping import Scope

__all__ = [
    "NON_FIELD_ERRORS",
    "NOTE_MAX_LENGTH",
    "InvalidValues",
    "ProgramHooks",
    "SaveResult",
    "StaleAssessment",
    "freeze_snapshot",
    "get_or_create_assessment",
    "missing_for",
    "note_error",
    "parse_value",
    "program_hooks",
    "register_program_hooks",
    "save_values",
    "snapshot_data",
    "validate_values",
]

YES = frozenset({"ya", "y", "yes", "true", "1", "benar"})
NO = frozenset({"tidak", "t", "no", "n", "false", "0", "salah"})
NOTE_MAX_LENGTH = 2000  # a note on an indicator or a desa row: the forms' limit, for every path


class InvalidValues(ValidationError):
    """Some values were refused; nothing was written.

    ``errors`` maps an indicator code (or, for the whole assessment, ``"__all__"``) to its
    messages; ``forbidden`` holds the codes the user may not change (an API answers 403 for them);
    ``note_errors`` holds the messages about notes alone (also in ``errors``), so an API can key
    them under ``notes`` rather than ``values``.
    """

    def __init__(
        self,
        errors: Mapping[str, list[str]],
        forbidden: Collection[str] = (),
        note_errors: Mapping[str, list[str]] | None = None,
    ):
        self.errors = {key: list(messages) for key, messages in errors.items()}
        self.forbidden = frozenset(forbidden)
        self.note_errors = {key: list(messages) for key, messages in (note_errors or {}).items()}
        super().__init__(self.errors)


class StaleAssessment(Exception):
    """The assessment changed since the caller read it (its version moved on)."""

    def __init__(self, expected: int, current: int):
        self.expected = expected
        self.current = current
        self.message = _(
            "Someone else changed this assessment in the meantime. Reload the page and enter "
            "your changes again."
        )
        super().__init__(self.message)


@dataclass(frozen=True)
class SaveResult:
    """What a save changed: the assessment (with its new version) and the changed keys."""

    assessment: Assessment
    changed: tuple[str, ...]

    @property
    def version(self) -> int:
        return self.assessment.version


# --- parsing and validation -------------------------------------------------------------------


def note_error(note: object) -> str | None:
    """Why ``note`` cannot be stored as a note (not text, or too long), or None.

    The one rule for notes on indicators and desa rows, whatever the path (form, API, import).
    """
    if note is None:
        return None
    if not isinstance(note, str):
        return _("The note must be text.")
    if len(note) > NOTE_MAX_LENGTH:
        return _("A note may have at most %(max)s characters; this one has %(count)s.") % {
            "max": NOTE_MAX_LENGTH,
            "count": len(note),
        }
    return None


def parse_value(
    spec: scoring.IndicatorSpec, raw: object, *, typed: bool = False
) -> tuple[Decimal | None, str | None]:
    """(value, None) when ``raw`` is acceptable for ``spec``, else (None, message).

    Accepts None/"" (unanswered), int, Decimal and float; true/false only for yes/no
    indicators. Text ("2,5" with a decimal comma, a trailing "%" for percentages, ya/tidak,
    y/t, 1/0, true/false for yes/no) is accepted unless ``typed``: a JSON client sends numbers,
    so text in a JSON body is refused rather than guessed at.
    """
    if raw is None:
        return None, None
    if isinstance(raw, bool):
        if spec.kind != scoring.Kind.YESNO:
            return None, _("Send a number, not true/false.")
        number: object = int(raw)
    elif isinstance(raw, float):
        number = repr(raw)
    elif isinstance(raw, str):
        if typed:
            return None, _("Send the value as a number, not as text.")
        text = raw.strip()
        if not text:
            return None, None
        if spec.kind == scoring.Kind.YESNO and text.lower() in YES | NO:
            text = "1" if text.lower() in YES else "0"
        if spec.kind == scoring.Kind.PERCENT and text.endswith("%"):
            text = text[:-1].strip()
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        number = text
    elif isinstance(raw, int | Decimal):
        number = raw
    else:
        return None, _("The value must be a number.")
    try:
        value = number if isinstance(number, Decimal) else Decimal(str(number))
    except (InvalidOperation, ValueError):
        return None, _("The value must be a number.")
    if not value.is_finite():
        return None, _("The value must be a number.")
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        return None, _("Use at most 2 decimal places.")
    error = scoring.validate_value(spec, value)
    if error is not None:
        return None, error
    return value, None


def _check(
    assessment: Assessment,
    catalog: CatalogData,
    overrides: Mapping[str, str],
    values: Mapping[str, object],
    notes: Mapping[str, str] | None,
    scope: Scope,
    typed: bool = False,
) -> tuple[dict[str, list[str]], dict[str, Decimal | None], set[str], dict[str, list[str]]]:
    """Errors per code, the parsed values, the codes the user may not change, note errors."""
    if not scope.can_edit_region(assessment.region_id):
        raise PermissionDenied(_("You cannot change the data of this region."))
    errors: dict[str, list[str]] = {}
    if assessment.status == Assessment.Status.SUBMITTED:
        errors[NON_FIELD_ERRORS] = [
            _("This assessment has been submitted and is locked; it cannot be changed.")
        ]
    elif assessment.status == Assessment.Status.VERIFIED:
        errors[NON_FIELD_ERRORS] = [
            _("This assessment has been verified and is locked; it cannot be changed.")
        ]
    owners = catalog.owners(overrides)
    parsed: dict[str, Decimal | None] = {}
    forbidden: set[str] = set()
    note_errors: dict[str, list[str]] = {}
    for code in dict.fromkeys([*values, *(notes or {})]):
        spec = catalog.by_code.get(str(code))
        refusal = None
        if spec is None:
            refusal = _("Unknown indicator code for %(program)s %(year)s.") % {
                "program": Program(catalog.program).label,
                "year": catalog.year,
            }
        elif not scope.can_edit_indicator(assessment.region_id, owners.get(code)):
            forbidden.add(code)
            refusal = _("This indicator belongs to another agency (OPD); you cannot change it.")
        if refusal is not None:
            errors.setdefault(str(code), []).append(refusal)
            if code not in values:  # given only as a note: the refusal is about the note
                note_errors.setdefault(str(code), []).append(refusal)
            continue
        assert spec is not None
        if code in values:
            value, error = parse_value(spec, values[code], typed=typed)
            if error is not None:
                errors.setdefault(code, []).append(error)
            else:
                parsed[code] = value
        if notes and code in notes:
            error = note_error(notes[code])
            if error is not None:
                errors.setdefault(code, []).append(error)
                note_errors.setdefault(code, []).append(error)
    return errors, parsed, forbidden, note_errors


def _require_answer_program(assessment: Assessment) -> Edition:
    edition = assessment.edition
    if edition.program == Program.KAMPUNG_KB:
        raise ValueError("Kampung KB data are rows per desa: use kampung_kb.services.")
    return edition


def validate_values(
    assessment: Assessment,
    values: Mapping[str, object],
    scope: Scope,
    notes: Mapping[str, str] | None = None,
    *,
    typed: bool = False,
) -> dict[str, list[str]]:
    """Messages per indicator code (``"__all__"`` for the whole assessment); empty when valid.

    Raises :class:`PermissionDenied` when the scope cannot edit the assessment's region at all.
    Writes nothing. ``typed``: see :func:`parse_value`.
    """
    edition = _require_answer_program(assessment)
    catalog = load_catalog(edition)
    overrides = load_owner_overrides([assessment.region_id]).get(assessment.region_id, {})
    errors, _parsed, _forbidden, _notes = _check(
        assessment, catalog, overrides, values, notes, scope, typed
    )
    return errors


def save_values(
    assessment: Assessment,
    values: Mapping[str, object],
    notes: Mapping[str, str] | None = None,
    *,
    user,
    scope: Scope,
    expected_version: int | None = None,
    reason: str = "",
    typed: bool = False,
) -> SaveResult:
    """Validate and store ``values`` (code → raw value) and ``notes`` (code → text), all or nothing.

    ``typed`` (the API): values come from JSON and must be numbers (see :func:`parse_value`).

    Locks the assessment row, refuses a stale ``expected_version`` (:class:`StaleAssessment`),
    raises :class:`InvalidValues` when anything is invalid and :class:`PermissionDenied` when the
    region is out of reach. Unchanged values are skipped; when something changed, the answers
    are written with history (user, ``reason``), lose their "carried over" mark, and the
    assessment's ``version`` goes up by one. ``assessment.version`` is updated in place.
    """
    with transaction.atomic():
        locked = lock_for_save(assessment, scope, expected_version)
        edition = _require_answer_program(locked)
        catalog = load_catalog(edition)
        overrides = load_owner_overrides([locked.region_id]).get(locked.region_id, {})
        errors, parsed, forbidden, note_errors = _check(
            locked, catalog, overrides, values, notes, scope, typed
        )
        if errors:
            raise InvalidValues(errors, forbidden, note_errors)
        codes = list(dict.fromkeys([*parsed, *(notes or {})]))
        existing = {
            answer.indicator_id: answer
            for answer in Answer.objects.filter(
                assessment=locked, indicator_id__in=[catalog.indicator_ids[c] for c in codes]
            )
        }
        now = timezone.now()
        to_create: list[Answer] = []
        to_update: list[Answer] = []
        changed: list[str] = []
        for code in codes:
            indicator_id = catalog.indicator_ids[code]
            answer = existing.get(indicator_id)
            note = (notes or {}).get(code)
            if answer is None:
                value = parsed.get(code)
                if value is None and not note:
                    continue
                to_create.append(
                    Answer(
                        assessment=locked,
                        indicator_id=indicator_id,
                        value=value,
                        note=note or "",
                        updated_at=now,
                    )
                )
                changed.append(code)
                continue
            dirty = False
            if code in parsed and answer.value != parsed[code]:
                answer.value = parsed[code]
                dirty = True
            if note is not None and answer.note != note:
                answer.note = note
                dirty = True
            if dirty:
                answer.carried_over = False
                answer.updated_at = now
                to_update.append(answer)
                changed.append(code)
        if not changed:
            return SaveResult(locked, ())
        write_with_history(
            locked,
            Answer,
            to_create,
            to_update,
            ["value", "note", "carried_over", "updated_at"],
            user=user,
            reason=reason or _("Values changed"),
            keys=changed,
        )
    return finish_save(assessment, locked, changed)


def lock_for_save(assessment: Assessment, scope: Scope, expected_version: int | None) -> Assessment:
    """The assessment's row locked for a save (inside ``transaction.atomic``), or a refusal.

    Raises ``PermissionDenied`` when its region is out of the scope's reach and
    :class:`StaleAssessment` when ``expected_version`` is given and no longer current.
    """
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not scope.can_edit_region(locked.region_id):
        raise PermissionDenied(_("You cannot change the data of this region."))
    if expected_version is not None and int(expected_version) != locked.version:
        raise StaleAssessment(int(expected_version), locked.version)
    return locked


def write_with_history(
    locked: Assessment,
    model,
    to_create: list,
    to_update: list,
    fields: list[str],
    *,
    user,
    reason: str,
    keys: Collection[str] = (),
) -> None:
    """Write the changed rows of one assessment in bulk with history, then bump its version.

    The shared tail of every save (answers, desa rows): who and why go into each history row
    and into the assessment's own history. ``keys`` (the changed indicator or desa codes) count
    as changes of returned items (:func:`penilaian.fixes.record_changes`).
    """
    history_reason = reason[:HISTORY_REASON_MAX]
    if to_create:
        bulk_create_with_history(
            to_create, model, default_user=user, default_change_reason=history_reason
        )
    if to_update:
        bulk_update_with_history(
            to_update, model, fields, default_user=user, default_change_reason=history_reason
        )
    bump_version(locked, user, history_reason)
    record_changes(locked, keys, user)


def finish_save(assessment: Assessment, locked: Assessment, changed: list[str]) -> SaveResult:
    """Bring the caller's ``assessment`` up to the saved row and say what changed."""
    assessment.version = locked.version
    assessment.updated_at = locked.updated_at
    assessment.updated_by_id = locked.updated_by_id
    return SaveResult(locked, tuple(changed))


def bump_version(assessment: Assessment, user, reason: str) -> None:
    """Raise the assessment's version by one, recording who and why in its history."""
    assessment.version += 1
    assessment.updated_by = user if getattr(user, "pk", None) else None
    assessment._history_user = assessment.updated_by
    assessment._change_reason = reason[:HISTORY_REASON_MAX]
    assessment.save(update_fields=["version", "updated_by", "updated_at"])
    assessments_changed([assessment.pk])


# --- assessments ------------------------------------------------------------------------------


def get_or_create_assessment(
    edition: Edition, region: Region, *, user=None, scope: Scope | None = None
) -> Assessment:
    """The region's assessment for ``edition``; a new one is started with last year's carry-over.

    With ``scope``, creating requires that the scope may edit the region (else
    :class:`PermissionDenied`); reading an existing assessment needs no scope here (callers
    check visibility with ``scope_for(user)``). The province itself has no assessments.
    """
    existing = Assessment.objects.filter(edition=edition, region=region).first()
    if existing is not None:
        return existing
    if scope is not None and not scope.can_edit_region(region):
        raise PermissionDenied(_("You cannot change the data of this region."))
    try:
        return start_assessment(edition, region, user=user).assessment
    except AssessmentExists:
        return Assessment.objects.get(edition=edition, region=region)


# --- the "as verified" snapshot ---------------------------------------------------------------


def _text(value: Decimal | None) -> str | None:
    return None if value is None else scoring.format_number(value)


def _level(level: scoring.Level | None) -> dict[str, Any] | None:
    if level is None:
        return None
    return {"code": level.code, "name": level.name, "lower_bound": _text(level.lower_bound)}


def snapshot_data(
    catalog: CatalogData, data: AssessmentData, overrides: Mapping[str, str]
) -> dict[str, Any]:
    """JSON-ready picture of an APE/KLA assessment's score, level, groups and gap.

    Keys: ``program``, ``year``, ``edition_id``, ``assessment_id``, ``version``, ``status``,
    ``score``, ``max_score``, ``level`` and ``next_level`` ({code, name, lower_bound} or null),
    ``points_to_next``, ``groups`` ([{code, name, score, max_score}]), ``completeness``
    ({total, answered, with_evidence}), ``values`` ({code: value or null}), ``carried_over``
    (codes), ``evidenced`` (codes with an evidence link), ``invalid`` (stored values no longer
    valid for the edition, scored as 0), and
    ``gap`` ({target, needed, reachable, items: [{code, group, text, owner, current_value,
    current_points, target_value, target_label, target_points, gain, evidence_missing, unit,
    current_label, target_op, lower_is_better}]}); ``edition_provisional_rules`` are the codes
    of the edition's rules marked provisional when it was computed (see /metode/).
    Numbers are strings in plain notation ("12.5") so nothing is lost to floats.
    """
    values, invalid = catalog.clean_values(data.values)
    scores = scoring.group_scores(catalog.specs, values)
    maxima = scoring.group_max(catalog.specs)
    score = sum(scores.values(), scoring.ZERO)
    gap = scoring.gap_to_next(
        catalog.specs,
        values,
        catalog.levels,
        owners=catalog.owners(overrides),
        evidence_missing=catalog.evidence_missing(data.evidenced),
    )
    done = scoring.completeness(catalog.specs, values, data.evidenced)
    names = {group.code: group.name for group in catalog.groups}
    return {
        "program": catalog.program,
        "year": catalog.year,
        "edition_id": catalog.edition_id,
        "assessment_id": data.id,
        "version": data.version,
        "status": data.status,
        "score": _text(score),
        "max_score": _text(sum(maxima.values(), scoring.ZERO)),
        "level": _level(scoring.level_for(score, catalog.levels)),
        "next_level": _level(scoring.next_level(score, catalog.levels)),
        "points_to_next": _text(scoring.points_to_next(score, catalog.levels)),
        "groups": [
            {
                "code": code,
                "name": names.get(code, code),
                "score": _text(scores[code]),
                "max_score": _text(maxima[code]),
            }
            for code in maxima
        ],
        "completeness": {
            "total": done.total,
            "answered": done.answered,
            "with_evidence": done.with_evidence,
        },
        "values": {code: _text(value) for code, value in values.items()},
        "carried_over": sorted(data.carried_over),
        "evidenced": sorted(data.evidenced),
        "invalid": list(invalid),
        "edition_provisional_rules": sorted(catalog.provisional_rules),
        "gap": {
            "target": _level(gap.target),
            "needed": _text(gap.needed),
            "reachable": gap.reachable,
            "items": [
                {
                    "code": item.code,
                    "group": item.group,
                    "text": item.text,
                    "owner": item.owner,
                    "current_value": _text(item.current_value),
                    "current_points": _text(item.current_points),
                    "target_value": _text(item.target_value),
                    "target_label": item.target_label,
                    "target_points": _text(item.target_points),
                    "gain": _text(item.gain),
                    "evidence_missing": item.evidence_missing,
                    "unit": item.unit,
                    "current_label": item.current_label,
                    "target_op": item.target_op,
                    "lower_is_better": item.lower_is_better,
                }
                for item in gap.items
            ],
        },
    }


def _answer_snapshot(assessment: Assessment) -> tuple[Decimal | None, str, dict[str, Any]]:
    catalog = load_catalog(assessment.edition)
    data = load_assessment(assessment)
    overrides = load_owner_overrides([assessment.region_id]).get(assessment.region_id, {})
    snapshot = snapshot_data(catalog, data, overrides)
    level = snapshot["level"]
    return Decimal(snapshot["score"]), level["name"] if level else "", snapshot


def _answer_missing(assessment: Assessment) -> scoring.Missing:
    catalog = load_catalog(assessment.edition)
    data = load_assessment(assessment)
    values, _invalid = catalog.clean_values(data.values)
    return scoring.missing_items(catalog.specs, values, data.evidenced)


def missing_for(assessment: Assessment) -> scoring.Missing:
    """What ``assessment`` still lacks before it can be called complete (reads the stored data):
    APE/KLA unanswered indicators (a value no longer valid for the edition counts as unanswered)
    and indicators without their required evidence; a programme may register its own rule
    (Kampung KB: desa without a row)."""
    hook = program_hooks(assessment.edition.program).missing
    return (hook or _answer_missing)(assessment)


def freeze_snapshot(assessment: Assessment, user) -> VerifiedSnapshot:
    """Store the assessment's score, level name and gap list "as verified"; returns the snapshot.

    Call it when an assessment is verified (the workflow does, inside its transaction). It reads
    the stored values as they are now, so call it after the last change. For APE and KLA the data
    is :func:`snapshot_data` (score, category/predicate, groups, completeness, values and the gap
    list); a programme may register its own builder (Kampung KB stores its region summary and the
    class of every desa). Earlier snapshots are never changed: each verification adds one, and
    the latest is "the" verified result. Every snapshot also records what was missing when it
    was verified (``incomplete``, ``missing``: {``unanswered``, ``evidence``}), so a verified
    but incomplete result says so wherever it is shown.
    """
    hooks = program_hooks(assessment.edition.program)
    builder = hooks.snapshot or _answer_snapshot
    score, level_name, data = builder(assessment)
    missing = missing_for(assessment)
    data = {
        **data,
        "incomplete": not missing.complete,
        "missing": {"unanswered": list(missing.unanswered), "evidence": list(missing.evidence)},
    }
    return VerifiedSnapshot.objects.create(
        assessment=assessment,
        data=data,
        score=score,
        level_name=level_name or "",
        verified_by=user if getattr(user, "pk", None) else None,
    )
