"""``{% calendar_panel %}``: the current stage, days left and the regions at risk, for the
dashboard (a tag, so the dashboard needs no import of this app)."""

from django import template
from django.utils import timezone

from akuntabilitas.queries import calendar_overview
from regions.scoping import scope_for

register = template.Library()


@register.inclusion_tag("akuntabilitas/_calendar_panel.html", takes_context=True)
def calendar_panel(context):
    request = context.get("request")
    scope = scope_for(getattr(request, "user", None))
    today = timezone.localdate()
    if scope.is_anonymous:
        return {"programs": [], "today": today}
    year = today.year  # the dashboard shows where this year's evaluations stand
    return {
        "programs": calendar_overview(scope.regions(), year, today),
        "today": today,
        "year": year,
    }
