"""E-mail about the workflow, next to the in-app notifications (``penilaian.notifications``).

Submit → the verifikators; return and verify → the region's koordinator and operators; every
returned item changed (``FIXED``) → the region's koordinators: the same people the in-app
notifications reach, less the person who acted, users without an e-mail address
and users who turned e-mail off on their profile page (``regions.models.Preference``). Each
recipient gets one message of their own (nobody sees the others' addresses) in the site language,
with an absolute link (``SITE_URL``) to the assessment; a return lists every returned item with
its reason, and the "all changed" message the items of that round.

The transitions in ``penilaian.workflow`` (and ``penilaian.fixes`` for ``FIXED``) queue
:func:`penilaian.tasks.send_workflow_email` when their transaction commits; that job calls
:func:`send_for_event`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from penilaian.models import ReturnReason, WorkflowEvent
from penilaian.notifications import (
    assessment_url,
    display_name,
    fixed_message,
    koordinators,
    label,
    region_officers,
    returned_message,
    verifikators,
)
from regions import mail

Action = WorkflowEvent.Action
EMAILED_ACTIONS = (Action.SUBMIT, Action.RETURN, Action.VERIFY, Action.FIXED)


def absolute(path: str) -> str:
    """``path`` on the portal's public address (``SITE_URL``)."""
    return f"{settings.SITE_URL}{path}"


def recipients(event: WorkflowEvent) -> QuerySet:
    """Who gets an e-mail about ``event`` (empty for actions that send none)."""
    if event.action == Action.SUBMIT:
        users = verifikators()
    elif event.action in (Action.RETURN, Action.VERIFY):
        users = region_officers(event.assessment)
    elif event.action == Action.FIXED:
        users = koordinators(event.assessment)
    else:
        return verifikators().none()
    return (
        users.exclude(email="")
        .exclude(preference__email_notifications=False)
        .exclude(pk=event.user_id)
        .order_by("username")
    )


def returned_items(event: WorkflowEvent) -> list[ReturnReason]:
    """The reasons of the round of ``event`` (a return, or the "all changed" moment after it), in
    catalog order, the general note last."""
    round_no = WorkflowEvent.objects.filter(
        assessment_id=event.assessment_id, action=Action.RETURN, pk__lte=event.pk
    ).count()
    reasons = ReturnReason.objects.filter(
        assessment_id=event.assessment_id, round=round_no
    ).select_related("indicator")
    return sorted(
        reasons,
        key=lambda r: (
            r.indicator is None and not r.desa_code,
            r.indicator.order if r.indicator else 0,
            r.desa_code,
            r.pk,
        ),
    )


def _item_line(reason: ReturnReason) -> str:
    if reason.indicator is not None:
        what = f"{reason.indicator.code} {reason.indicator.text}"
    elif reason.desa_code:
        what = _("Village %(code)s") % {"code": reason.desa_code}
    else:
        what = _("General note")
    return f"- {what}\n  {_('Reason')}: {reason.reason}"


def _is_item(reason: ReturnReason) -> bool:
    """A returned indicator or village (the general note is not an item)."""
    return reason.indicator_id is not None or bool(reason.desa_code)


def compose(event: WorkflowEvent, user, items: list[ReturnReason] | None = None) -> EmailMessage:
    """The message about ``event`` for ``user``, in the site language (``items``: the return's
    reasons, when the caller already read them)."""
    assessment = event.assessment
    values = {"assessment": label(assessment), "user": display_name(event.user)}
    with translation.override(settings.LANGUAGE_CODE):
        lines = [_("Dear %(name)s,") % {"name": display_name(user)}, ""]
        if event.action == Action.SUBMIT:
            subject = _("Submitted for verification: %(assessment)s") % values
            lines.append(_("%(assessment)s was submitted for verification by %(user)s.") % values)
        elif event.action == Action.RETURN:
            items = returned_items(event) if items is None else items
            subject = _("Returned for correction: %(assessment)s") % values
            returned = [item for item in items if _is_item(item)]
            lines.append(
                returned_message(
                    assessment,
                    event.user,
                    len(returned),
                    per_desa=any(item.desa_code for item in returned),
                    note=len(returned) < len(items),
                )
            )
            lines += ["", _("Returned items:"), *(_item_line(item) for item in items)]
        elif event.action == Action.FIXED:
            items = returned_items(event) if items is None else items
            returned = [item for item in items if _is_item(item)]
            subject = _("Returned items all changed: %(assessment)s") % values
            lines.append(
                fixed_message(
                    assessment,
                    event.user,
                    len(returned),
                    per_desa=any(item.desa_code for item in returned),
                )
            )
            lines += ["", _("Changed items:"), *(_item_line(item) for item in returned)]
        else:
            subject = _("Verified: %(assessment)s") % values
            lines.append(_("%(assessment)s was verified by %(user)s.") % values)
        if event.reason and event.action not in (Action.RETURN, Action.FIXED):
            lines += ["", _("Note: %(note)s") % {"note": event.reason}]
        lines += [
            "",
            _("Open the assessment: %(url)s") % {"url": absolute(assessment_url(assessment))},
            "",
            "-- ",
            settings.OFFICE_NAME,
            _(
                "You receive this e-mail because of your role in the portal. To stop these "
                "e-mails, turn them off on your profile page: %(url)s"
            )
            % {"url": absolute(reverse("regions:profile"))},
        ]
    return EmailMessage(
        subject=subject.replace("\n", " "),
        body="\n".join(lines) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )


def send_for_event(event_id: int) -> int:
    """Send the e-mails about one workflow event; returns how many messages were sent."""
    event = (
        WorkflowEvent.objects.select_related("assessment__edition", "assessment__region", "user")
        .filter(pk=event_id, action__in=EMAILED_ACTIONS)
        .first()
    )
    if event is None or not mail.mail_configured():
        return 0
    items = returned_items(event) if event.action in (Action.RETURN, Action.FIXED) else []
    messages = [compose(event, user, items) for user in recipients(event)]
    if not messages:
        return 0
    with get_connection() as connection:
        return connection.send_messages(messages) or 0
