"""Template helpers of the data-entry pages (the navigation's unread notification count)."""

from django import template

from penilaian.notifications import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> int:
    """How many unread notifications ``user`` has (one query; 0 when logged out)."""
    return unread_count(user)
