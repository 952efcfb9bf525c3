"""Forms of the accountability pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class HandoverForm(forms.Form):
    """Serah terima: from whom, to which (existing) user, and why."""

    from_user = forms.TypedChoiceField(label=_("Handed over by"), coerce=int, choices=())
    to_username = forms.CharField(
        label=_("Successor's username"),
        max_length=150,
        help_text=_("The successor's account must exist and hold no assignment yet."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the history, e.g. staff rotation with the decree number."),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {user.pk: user for user in candidates}
        self.fields["from_user"].choices = [
            (user.pk, _label(user)) for user in self.candidates.values()
        ]


def _label(user) -> str:
    assignment = user.assignment
    where = assignment.opd.name if assignment.opd_id else assignment.get_role_display()
    name = user.get_full_name() or user.get_username()
    return f"{name} ({user.get_username()}) — {where}"
