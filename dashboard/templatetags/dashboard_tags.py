"""Template helpers of the dashboard: numbers, marks, bars and badges (text always with colour)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from dashboard import charts
from penilaian import formatting

register = template.Library()

STATE_SYMBOL = {"terpenuhi": "✓", "sebagian": "◐", "belum": "✗"}


def shown_number(value: object) -> str:
    """A number as the pages show it: no trailing zeros, localised separators ("609,93")."""
    try:
        return _formatted(value, get_language())
    except TypeError:  # unhashable: format without the memo
        return formatting.number(value, get_language())


@lru_cache(maxsize=4096)
def _formatted(value: object, language: str | None) -> str:
    # Pure in (number, language): pages format the same few hundred numbers over and over.
    return formatting.number(value, language)


@register.filter
def num(value: object) -> str:
    """``{{ value|num }}``: see :func:`shown_number`."""
    return shown_number(value)


STATE_LABELS = {
    "terpenuhi": gettext_lazy("met"),
    "sebagian": gettext_lazy("partly met"),
    "belum": gettext_lazy("not yet"),
}


def state_label(state: str | None) -> str:
    """The translated name of an APE prerequisite state."""
    return str(STATE_LABELS.get(state or "") or _("no data"))


@register.filter
def state_text(state: str | None) -> str:
    return state_label(state)


@register.simple_tag
def mark(cell) -> SafeString:
    """An APE prerequisite mark: the short label and a symbol, coloured, with the state in text."""
    state = cell.state or "none"
    label = state_label(cell.state)
    return format_html(
        '<span class="mark mark-{}" title="{}: {} ({} / {})">{} {}'
        '<span class="sr-only"> {}</span></span>',
        state,
        cell.name,
        label,
        shown_number(cell.score),
        shown_number(cell.max_score),
        cell.abbr,
        STATE_SYMBOL.get(state, "–"),
        label,
    )


@register.simple_tag
def bar(value, max_value, css_class: str = "") -> SafeString:
    """A small SVG bar; the template prints the number beside it."""
    return charts.bar_svg(value, max_value, css_class=css_class)


@register.simple_tag
def level_badge(level, none_label: str = "", result=None) -> SafeString:
    """A category/predicate pill (its name in text, colour by rank); "—" without a level.

    With ``result``, a mark follows when the level rests on a provisional rule (see ``prov``).
    """
    if level is None:
        badge = format_html('<span class="level level-0">{}</span>', none_label or _("none"))
    else:
        badge = format_html('<span class="level level-{}">{}</span>', level.order, level.name)
    return format_html("{}{}", badge, prov(result)) if result is not None else badge


def metode_url(code: str = "") -> str:
    """The /metode/ page, at a rule's anchor."""
    return reverse("dashboard:metode") + (f"#{code}" if code else "")


@register.simple_tag
def prov(result) -> SafeString:
    """The provisional mark of a result: "≈" linking to the first provisional rule it rests on,
    its title naming all of them; nothing for a result on confirmed rules only (or none)."""
    codes = tuple(getattr(result, "provisional_rules", ()) or ())
    if not codes:
        return mark_safe("")  # noqa: S308 - empty
    label = _("Portal estimate: rests on provisional rules %(codes)s") % {"codes": ", ".join(codes)}
    return format_html(
        ' <a class="prov-mark" href="{}" title="{}" aria-label="{}" data-rules="{}">≈</a>',
        metode_url(codes[0]),
        label,
        label,
        " ".join(codes),
    )


@register.simple_tag
def gap_now(item) -> str:
    """A gap item's current value as words or as a number with its unit ("71,57 %")."""
    if item.current_value is None:
        return _("not filled in")
    if item.current_label:
        return item.current_label
    return _with_unit(item.current_value, item.unit)


@register.simple_tag
def gap_target(item) -> str:
    """Where to take a gap item: "≥ 90 %", "≤ 4,99 %", a ladder option's label, "Ya"."""
    if item.target_op:
        return f"{item.target_op} {_with_unit(item.target_value, item.unit)}"
    return item.target_label


def _with_unit(value, unit: str) -> str:
    number = shown_number(value)
    return f"{number} {unit}" if unit else number


@register.simple_tag
def status_badge(part) -> SafeString:
    """The state of a programme part's numbers (or "not started"): verified, submitted,
    returned, draft or carried over; a verified result that is incomplete says so."""
    status = getattr(part, "status", None)
    if not status:
        return format_html('<span class="status status-none">{}</span>', _("not started"))
    state = getattr(part, "state", None) or status
    label = getattr(part, "state_label", "") or part.status_label
    badge = format_html(
        '<span class="status status-{}" data-state="{}">{}</span>', state, state, label
    )
    return badge + incomplete_mark(part)


@register.simple_tag
def incomplete_mark(part) -> SafeString:
    """ "incomplete" next to a verified result that was verified with something missing."""
    if getattr(part, "status", None) == "verified" and getattr(part, "incomplete", False):
        return format_html(
            ' <span class="flag incomplete" title="{}">{}</span>',
            _("Verified although some indicators or required evidence were missing."),
            _("incomplete"),
        )
    return mark_safe("")


@register.simple_tag
def verified_mark(part) -> SafeString:
    """On the public page: when the result shown was verified, and whether it is incomplete
    (also while an admin has reopened it for correction: the last verified result stands)."""
    when = getattr(part, "verified_at", None)
    if when is None:
        return mark_safe("")
    text = _("verified %(date)s") % {"date": formatting.date(when, get_language())}
    mark = format_html('<span class="verified-at note">{}</span>', text)
    if getattr(part, "reopened", False):
        mark += format_html(
            ' <span class="note reopened">{}</span>', _("(being corrected; last verified result)")
        )
    return mark + incomplete_mark(part)


STANDING_LABELS = {
    "resmi": gettext_lazy("official"),
    "diduga": gettext_lazy("inferred"),
    "bertentangan": gettext_lazy("conflicting reports"),
}


def standing_label(standing: str | None) -> str:
    """resmi / diduga / bertentangan in words."""
    return str(STANDING_LABELS.get(str(standing or ""), standing or ""))


@register.filter
def standing_text(standing) -> str:
    return standing_label(standing)


@register.filter
def award_text(award) -> str:
    """ "Madya (2025)"; "Madya (2023, inferred)"; "Madya / Nindya (2025, conflicting reports)"
    when sources disagree; "—" without one."""
    if award is None:
        return "—"
    standing = getattr(award, "standing", "resmi")
    if standing == "resmi":
        return f"{' / '.join(award.results)} ({award.year})"
    return f"{' / '.join(award.results)} ({award.year}, {standing_label(standing)})"


@register.filter
def web_links(urls) -> list[str]:
    """Only http(s) addresses become links."""
    return [str(url) for url in urls or () if str(url).startswith(("https://", "http://"))]


@register.filter
def get_item(mapping, key):
    """``{{ mapping|get_item:key }}`` for dicts prepared by the view."""
    if mapping is None:
        return None
    return mapping.get(key)


# Small widgets of the recap rows, built here rather than with {% include %}: they repeat on every
# row, and a tag is several times cheaper to render than an included template.


@register.simple_tag
def group_bars(groups) -> SafeString:
    """KLA groups as small bars, each with its short label and "points/maximum" in text."""
    items = format_html_join(
        "",
        '<li title="{}"><span>{}</span>{}<span class="v">{}/{}</span></li>',
        (
            (
                group.name,
                group.abbr,
                charts.bar_svg(group.score, group.max_score),
                shown_number(group.score),
                shown_number(group.max_score),
            )
            for group in groups
        ),
    )
    return format_html('<ul class="bars">{}</ul>', items)


@register.simple_tag
def progress(p) -> SafeString:
    """Completeness "answered · with evidence · verified / total" (a dash without data)."""
    if p is None:
        return mark_safe("—")  # noqa: S308 - a literal
    return format_html(
        '<span class="note" title="{}">{} · {} · {} / {}</span>',
        _("answered / with evidence / verified, of all indicators"),
        p.answered,
        p.with_evidence,
        p.verified,
        p.total,
    )


@register.simple_tag
def kkb_share(summary) -> SafeString:
    """The share of desa that are Kampung KB, as a bar and a number, against the target."""
    if summary is None:
        return mark_safe("—")  # noqa: S308 - a literal
    target = shown_number(summary.target_persen)
    if summary.target_tercapai:
        note = format_html(
            '<span class="ok">✓ {}</span>',
            _("target %(target)s%% reached") % {"target": target},
        )
    else:
        note = _("target %(target)s%%: %(short)s desa short") % {
            "target": target,
            "short": summary.kurang_untuk_target,
        }
    base = ""
    if summary.desa_potensial is not None:
        base = format_html(
            ' <span class="note">{}</span>',
            _("of %(base)s potential desa") % {"base": shown_number(summary.desa_potensial)},
        )
    return format_html(
        '<div class="share">{}<span class="num">{}%</span>{}</div><span class="note">{}</span>{}',
        charts.bar_svg(summary.persen_kampung_kb, Decimal(100)),
        shown_number(summary.persen_kampung_kb),
        base,
        note,
        prov(summary),
    )


@register.simple_tag
def next_and_official(part) -> SafeString:
    """Points to the next level (or "top level"), then the last official result."""
    if part.result is None:
        ahead = mark_safe("—")  # noqa: S308 - a literal
    elif part.next_level is None:
        ahead = _("top level")
    else:
        ahead = format_html(
            '<span class="num">{}</span> → {}',
            shown_number(part.result.points_to_next),
            part.next_level.name,
        )
    differs = ""
    if part.award_differs:
        differs = format_html(
            ' <span class="flag" title="{}">≠ {}</span>',
            _("The official result differs from the computed one"),
            _("computed"),
        )
    elif part.award is not None and part.award.year != part.year:
        differs = format_html(
            ' <span class="note">({})</span>',
            _("another year: not compared with %(year)s") % {"year": part.year},
        )
    return format_html(
        '{}<br><span class="note">{}:</span> {}{}',
        ahead,
        _("official"),
        award_text(part.award),
        differs,
    )
