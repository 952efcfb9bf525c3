"""Reading meetings in a user's scope, with a constant number of queries.

A meeting is visible to provincial roles and to users of any region it covers (contract §4).
It may be changed by the provincial admin and by the koordinator of a covered region.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from regions.models import Region, Role
from regions.scoping import Scope
from sinergitas.models import (
    FollowUp,
    IssueTopic,
    Meeting,
    Participation,
    jakarta_today,
    overdue_q,
)

PROGRAMME_FIELD = {code: field for code, field, _label in Meeting.PROGRAMME_FIELDS}


def visible_meetings(scope: Scope) -> QuerySet[Meeting]:
    """Every meeting the user may see (no duplicates, no join left in the outer query)."""
    if scope.is_anonymous:
        return Meeting.objects.none()
    if scope.is_provincial:
        return Meeting.objects.all()
    in_scope = scope.filter(Meeting.objects.all(), field="regions").values("pk")
    return Meeting.objects.filter(pk__in=in_scope)


def can_create_meeting(scope: Scope) -> bool:
    """The provincial admin and any koordinator (for their own region) record meetings."""
    return scope.is_admin or (scope.role == Role.KOORDINATOR and scope.region_id is not None)


def can_edit_meeting(scope: Scope, region_ids: set[int] | list[int]) -> bool:
    """Admin, or the koordinator of one of the meeting's regions (``region_ids``)."""
    if scope.is_admin:
        return True
    return any(scope.can_manage_region(region_id) for region_id in region_ids)


def editable_regions(scope: Scope) -> QuerySet[Region]:
    """The regions this user may put on a meeting: all kab/kota for admin, else their own."""
    if scope.is_admin:
        return scope.regions()
    if scope.role == Role.KOORDINATOR:
        return scope.regions()  # a koordinator's scope is exactly their region
    return Region.objects.none()


@dataclass(frozen=True)
class MeetingFilters:
    """The list filters (all optional)."""

    region: Region | None = None
    programme: str | None = None
    issue: IssueTopic | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def filter_meetings(queryset: QuerySet[Meeting], filters: MeetingFilters) -> QuerySet[Meeting]:
    """Apply :class:`MeetingFilters`; M2M conditions as subqueries so rows never duplicate."""
    if filters.region is not None:
        queryset = queryset.filter(
            pk__in=Meeting.regions.through.objects.filter(region=filters.region).values(
                "meeting_id"
            )
        )
    if filters.programme in PROGRAMME_FIELD:
        queryset = queryset.filter(**{PROGRAMME_FIELD[filters.programme]: True})
    if filters.issue is not None:
        queryset = queryset.filter(
            pk__in=Meeting.issues.through.objects.filter(issuetopic=filters.issue).values(
                "meeting_id"
            )
        )
    if filters.date_from is not None:
        queryset = queryset.filter(date__gte=filters.date_from)
    if filters.date_to is not None:
        queryset = queryset.filter(date__lte=filters.date_to)
    return queryset


def with_list_data(
    queryset: QuerySet[Meeting], today: datetime.date | None = None
) -> QuerySet[Meeting]:
    """Everything a list row shows: regions, issues, participants and follow-up counts."""
    today = today or jakarta_today()
    not_done = ~Q(followups__status=FollowUp.Status.DONE)
    overdue = overdue_q("followups__", today)
    return queryset.prefetch_related(
        "regions",
        "issues",
        Prefetch("participations", queryset=Participation.objects.select_related("kind")),
    ).annotate(
        open_followup_count=Count("followups", filter=not_done, distinct=True),
        overdue_followup_count=Count("followups", filter=overdue, distinct=True),
    )


def meeting_list(
    scope: Scope, filters: MeetingFilters | None = None, today: datetime.date | None = None
) -> QuerySet[Meeting]:
    """The filtered meetings in scope, newest first, ready for the list page and the export."""
    queryset = filter_meetings(visible_meetings(scope), filters or MeetingFilters())
    return with_list_data(queryset, today).order_by("-date", "-time", "-pk")


def meetings_for_region(region: Region, scope: Scope) -> QuerySet[Meeting]:
    """The meetings covering ``region`` (newest first) if the user may see that region.

    Each meeting carries ``regions`` (prefetched) and ``open_followups``: the region's follow-ups
    that are not done, earliest due first, with their owner. Three queries however many meetings.
    """
    if not scope.can_view_region(region):
        return Meeting.objects.none()
    open_followups = (
        FollowUp.objects.filter(region=region)
        .not_done()
        .select_related("owner_kind", "owner_opd", "region")
        .order_by("due_date", "pk")
    )
    return (
        filter_meetings(visible_meetings(scope), MeetingFilters(region=region))
        .prefetch_related(
            "regions", Prefetch("followups", queryset=open_followups, to_attr="open_followups")
        )
        .order_by("-date", "-time", "-pk")
    )
