"""Programme hooks: how the shared mechanism calls programme code without importing it.

Programme apps register :class:`ProgramHooks` (a snapshot builder, a carry-over step) with
:func:`register_program_hooks` in their ``readiness`` module; :func:`program_hooks` discovers
those modules. Both ``penilaian.services`` and ``penilaian.carry`` use this module, which imports
neither of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.module_loading import autodiscover_modules

from penilaian.models import Assessment
from penilaian.scoring import Missing

HISTORY_REASON_MAX = 100  # simple_history keeps at most 100 characters of a change reason


@dataclass(frozen=True)
class ProgramHooks:
    """Programme-specific steps the shared mechanism calls.

    ``snapshot(assessment) -> (score, level_name, data)`` builds the frozen snapshot (default:
    :func:`penilaian.services.snapshot_data` on the indicator answers). ``carry(new, source,
    user)`` carries the programme's own rows from ``source`` (the previous year's verified
    assessment, or None) into ``new`` and returns a report object. ``missing(assessment)`` says
    what the assessment still lacks (default: unanswered indicators and required evidence,
    :func:`penilaian.services.missing_for`).
    """

    snapshot: Callable[[Assessment], tuple[Decimal | None, str, dict[str, Any]]] | None = None
    carry: Callable[[Assessment, Assessment | None, Any], Any] | None = None
    missing: Callable[[Assessment], Missing] | None = None


_HOOKS: dict[str, ProgramHooks] = {}
_discovered = False


def register_program_hooks(program: str, hooks: ProgramHooks) -> None:
    """Register a programme's hooks (called at import of the programme's ``readiness`` module)."""
    _HOOKS[program] = hooks


def program_hooks(program: str) -> ProgramHooks:
    """The programme's hooks; imports every installed app's ``readiness`` module once."""
    global _discovered
    if not _discovered:
        autodiscover_modules("readiness")
        _discovered = True
    return _HOOKS.get(program, ProgramHooks())
