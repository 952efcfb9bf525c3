"""Template helpers of the data-entry pages (the navigation's unread notification count)."""

from django import template
from django.utils.translation import get_language

from penilaian import formatting
from penilaian.notifications import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> int:
    """How many unread notifications ``user`` has (one query; 0 when logged out)."""
    return unread_count(user)


# --- one formatting path for people (penilaian.formatting) ----------------------------------
@register.filter
def angka(value) -> str:
    """``{{ value|angka }}``: 1.234,5 (no trailing zeros, at most two decimals)."""
    return formatting.number(value, get_language())


@register.filter
def persen(value) -> str:
    """``{{ value|persen }}``: 71,57 %."""
    return formatting.percent(value, get_language())


@register.filter
def tahun(value) -> str:
    """``{{ year|tahun }}``: 2026, never 2.026."""
    return formatting.year(value)


@register.filter
def tanggal(value) -> str:
    """``{{ date|tanggal }}``: 7 Des 2026."""
    return formatting.date(value, get_language())


@register.filter
def jam(value) -> str:
    """``{{ time|jam }}``: 14.05 WIB."""
    return formatting.time(value, get_language())


@register.filter
def waktu(value) -> str:
    """``{{ datetime|waktu }}``: 7 Des 2026, 14.05 WIB."""
    return formatting.datetime(value, get_language())


@register.filter
def program_name(code) -> str:
    """``{{ "kampung_kb"|program_name }}``: Kampung KB (a programme's name, never its code)."""
    from penilaian.models import Program

    try:
        return str(Program(code).label)
    except ValueError:
        return str(code).replace("_", " ").upper()
