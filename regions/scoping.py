"""THE scoping helper: which regions and which indicators a user may see or change.

Every queryset that reaches a user (pages, forms, API, exports, imports, admin) goes through
:func:`scope_for`. Rules (contract §2, §4):

* admin provinsi, verifikator provinsi and pimpinan see every kab/kota;
* a koordinator or an operator OPD sees only the region of their assignment;
* admin changes everything; a koordinator changes every indicator of their region; an operator
  changes only indicators owned (for that region) by their OPD's kind; verifikator and pimpinan
  change no data (the verifikator verifies or returns);
* a user with no assignment (and not a superuser) sees nothing.

The helper knows nothing of programmes: callers pass the owner OPD kind of an indicator, so the
``regions`` app stays at the bottom of the dependency graph.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from regions.models import PROVINCIAL_ROLES, Assignment, Region, Role


@dataclass(frozen=True)
class Scope:
    """What one user may see and change. Build it with :func:`scope_for`."""

    user_id: int | None
    role: str | None
    region_id: int | None = None
    opd_id: int | None = None
    opd_kind_code: str | None = None

    # --- who is this -------------------------------------------------------------------------
    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_provincial(self) -> bool:
        return self.role in PROVINCIAL_ROLES

    @property
    def can_verify(self) -> bool:
        """Verifikator provinsi (and admin) verify or return submitted assessments."""
        return self.role in (Role.ADMIN, Role.VERIFIKATOR)

    @property
    def is_anonymous(self) -> bool:
        return self.role is None

    @property
    def role_label(self) -> str:
        """The role as people read it ("Koordinator kab/kota"), empty without a role."""
        return str(Role(self.role).label) if self.role else ""

    # --- regions -----------------------------------------------------------------------------
    def region_q(self, field: str = "region") -> Q:
        """A ``Q`` limiting any model with a region FK at ``field`` to this scope."""
        if self.is_provincial:
            return Q()
        if self.region_id is None:
            return Q(pk__in=[])
        return Q(**{field: self.region_id})

    def filter(self, queryset: QuerySet, field: str = "region") -> QuerySet:
        """Limit ``queryset`` (whose model reaches a Region at ``field``) to this scope."""
        return queryset.filter(self.region_q(field))

    def regions(self) -> QuerySet[Region]:
        """The kab/kota in scope (never the province row), ordered by code."""
        qs = Region.objects.exclude(kind=Region.Kind.PROVINSI)
        if self.is_provincial:
            return qs
        if self.region_id is None:
            return qs.none()
        return qs.filter(pk=self.region_id)

    def can_view_region(self, region: Region | int) -> bool:
        region_id = region if isinstance(region, int) else region.pk
        return self.is_provincial or (self.region_id is not None and self.region_id == region_id)

    def get_region_or_404(self, code: str) -> Region:
        """The region with this code if in scope; otherwise 404 (never a hint that it exists)."""
        try:
            return self.regions().get(code=code)
        except Region.DoesNotExist:
            raise Http404("Wilayah tidak ditemukan.") from None

    # --- changing data -----------------------------------------------------------------------
    def can_edit_region(self, region: Region | int) -> bool:
        """May this user change any data of the region (subject to indicator ownership)?"""
        region_id = region if isinstance(region, int) else region.pk
        if self.is_admin:
            return True
        return self.role in (Role.KOORDINATOR, Role.OPERATOR) and self.region_id == region_id

    def can_manage_region(self, region: Region | int) -> bool:
        """Submit, reassign owners, import for the region: admin or its koordinator."""
        region_id = region if isinstance(region, int) else region.pk
        return self.is_admin or (self.role == Role.KOORDINATOR and self.region_id == region_id)

    def can_edit_indicator(self, region: Region | int, owner_kind_code: str | None) -> bool:
        """May this user change the value of an indicator owned by ``owner_kind_code``?"""
        if not self.can_edit_region(region):
            return False
        if self.role == Role.OPERATOR:
            return owner_kind_code is not None and owner_kind_code == self.opd_kind_code
        return True

    def editable_owner_kinds(self, region: Region | int) -> frozenset[str] | None:
        """``None`` = every indicator; otherwise the owner OPD kinds this user may change."""
        if not self.can_edit_region(region):
            return frozenset()
        if self.role == Role.OPERATOR:
            return frozenset({self.opd_kind_code}) if self.opd_kind_code else frozenset()
        return None


ANONYMOUS = Scope(user_id=None, role=None)


def scope_for(user) -> Scope:
    """The :class:`Scope` of ``user`` (cached on the user object for the request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_babel_scope", None)
    if cached is not None:
        return cached
    scope = _build_scope(user)
    user._babel_scope = scope
    return scope


def _build_scope(user) -> Scope:
    if user.is_superuser:
        return Scope(user_id=user.pk, role=Role.ADMIN)
    assignment = Assignment.objects.select_related("opd__kind").filter(user_id=user.pk).first()
    if assignment is None:
        return Scope(user_id=user.pk, role=None)
    if assignment.role in PROVINCIAL_ROLES:
        return Scope(user_id=user.pk, role=assignment.role)
    if assignment.role == Role.OPERATOR:
        opd = assignment.opd
        if opd is None or opd.region_id != assignment.region_id:
            return Scope(user_id=user.pk, role=None)  # inconsistent: grant nothing
        return Scope(
            user_id=user.pk,
            role=Role.OPERATOR,
            region_id=assignment.region_id,
            opd_id=opd.pk,
            opd_kind_code=opd.kind.code,
        )
    return Scope(user_id=user.pk, role=assignment.role, region_id=assignment.region_id)
