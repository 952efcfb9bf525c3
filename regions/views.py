"""Account pages: the user's profile, with a password change and the e-mail preference."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from regions.forms import PreferenceForm
from regions.models import Assignment, Preference

PREFERENCES = "preferences"  # hidden field that tells the preference form from the password form


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Who the user is, their role and scope, a form to change the password and one for the
    e-mail notifications (each form posts on its own)."""
    preference = Preference.objects.filter(user_id=request.user.pk).first() or Preference(
        user=request.user
    )
    form = PasswordChangeForm(request.user)
    preference_form = PreferenceForm(instance=preference)
    if request.method == "POST" and PREFERENCES in request.POST:
        preference_form = PreferenceForm(request.POST, instance=preference)
        if preference_form.is_valid():
            preference_form.save()
            messages.success(request, _("Your e-mail preference has been saved."))
            return redirect("regions:profile")
    elif request.method == "POST":
        form = PasswordChangeForm(request.user, request.POST)
        if form.is_valid():
            user = form.save()
            update_session_auth_hash(request, user)  # stay logged in with the new password
            messages.success(request, _("Your password has been changed."))
            return redirect("regions:profile")
    assignment = (
        Assignment.objects.select_related("region", "opd").filter(user_id=request.user.pk).first()
    )
    return render(
        request,
        "regions/profile.html",
        {
            "form": form,
            "preference_form": preference_form,
            "preferences": PREFERENCES,
            "assignment": assignment,
        },
    )
