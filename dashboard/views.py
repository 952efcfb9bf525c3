"""Cross-programme pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from regions.scoping import scope_for


@login_required
def home(request):
    scope = scope_for(request.user)
    regions = scope.regions()
    return render(request, "dashboard/home.html", {"regions": regions})
