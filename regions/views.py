"""Account pages: the user's profile, with a password change."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from regions.models import Assignment


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Who the user is, their role and scope, and a form to change the password."""
    if request.method == "POST":
        form = PasswordChangeForm(request.user, request.POST)
        if form.is_valid():
            user = form.save()
            update_session_auth_hash(request, user)  # stay logged in with the new password
            messages.success(request, _("Your password has been changed."))
            return redirect("regions:profile")
    else:
        form = PasswordChangeForm(request.user)
    assignment = (
        Assignment.objects.select_related("region", "opd").filter(user_id=request.user.pk).first()
    )
    return render(request, "regions/profile.html", {"form": form, "assignment": assignment})
