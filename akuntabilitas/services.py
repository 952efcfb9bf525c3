"""Handover (serah terima): a leaving officer's assignment goes to their successor at once."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from akuntabilitas.models import Handover
from regions.models import Assignment, Region, Role
from regions.scoping import scope_for


class HandoverError(Exception):
    """A handover that cannot happen; ``message`` reads well in the UI language."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class HandoverNotAllowed(HandoverError):
    """Only the region's koordinator or the admin hands over (HTTP 403)."""


def handover(region: Region, *, from_user, to_username: str, reason: str, user) -> Handover:
    """Move ``from_user``'s open assignment in ``region`` (role, region, OPD) to the user named
    ``to_username``, with ``reason``; the assignment's history records the move and the reason,
    and a :class:`Handover` row says who did it. The successor must hold no assignment yet (a
    user has one assignment); the predecessor keeps their account but sees nothing afterwards.
    """
    scope = scope_for(user)
    if not scope.can_manage_region(region):
        raise HandoverNotAllowed(_("Only the coordinator of the region can hand over duties."))
    reason = (reason or "").strip()
    if not reason:
        raise HandoverError(_("Give the reason for the handover."), field="reason")
    to_username = (to_username or "").strip()
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update()
            .filter(
                user=from_user,
                region=region,
                role__in=[Role.KOORDINATOR, Role.OPERATOR],
            )
            .first()
        )
        if assignment is None:
            raise HandoverError(
                _("This user holds no assignment in this region."), field="from_user"
            )
        successor = get_user_model().objects.filter(username=to_username, is_active=True).first()
        if successor is None:
            raise HandoverError(
                _(
                    "No active user with the username “%(name)s”. "
                    "Ask the provincial admin to create the account first."
                )
                % {"name": to_username[:150]},
                field="to_username",
            )
        if successor.pk == from_user.pk:
            raise HandoverError(_("Hand over to another person."), field="to_username")
        if Assignment.objects.filter(user=successor).exists():
            raise HandoverError(
                _("%(name)s already holds an assignment; a user holds only one.")
                % {"name": successor.get_username()},
                field="to_username",
            )
        assignment.user = successor
        assignment._change_reason = (_("Handover: %(reason)s") % {"reason": reason})[:100]
        assignment.save()
        return Handover.objects.create(
            region=region,
            from_user=from_user,
            to_user=successor,
            role=assignment.role,
            opd_id=assignment.opd_id,
            reason=reason,
            done_by=user,
        )
