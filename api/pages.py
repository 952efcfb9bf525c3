"""The API token page (``/api/token/``): a user creates, replaces and revokes their own token."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from api.tokens import create_token, masked, revoke_token, token_for


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_page(request: HttpRequest) -> HttpResponse:
    """Show whether the user has a token; create (or replace) or revoke it on POST.

    A new token's key is shown once, in the response to the POST that made it.
    """
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            new_key = create_token(request.user).key
        elif action == "revoke":
            if revoke_token(request.user):
                messages.success(request, _("Your API token has been revoked."))
            return redirect("api:token")
        else:
            return HttpResponse(status=400)
    token = token_for(request.user)
    return render(
        request,
        "api/token.html",
        {
            "token": token,
            "masked": masked(token.key) if token else "",
            "new_key": new_key,
            "api_root": request.build_absolute_uri("/api/v1/"),
        },
    )
