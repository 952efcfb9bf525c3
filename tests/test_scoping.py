"""THE scoping helper, for every role (contract §2 and §4 "Scope everywhere")."""

import pytest
from django.http import Http404

from penilaian.models import Assessment, Edition
from regions.models import Region
from regions.scoping import scope_for

pytestmark = pytest.mark.django_db

ALL = {"19.01", "19.02", "19.03", "19.04", "19.05", "19.06", "19.71"}


def codes(scope):
    return set(scope.regions().values_list("code", flat=True))


@pytest.mark.parametrize("fixture", ["admin_user", "verifikator", "pimpinan"])
def test_provincial_roles_see_every_region_but_not_the_province_row(request, fixture):
    scope = scope_for(request.getfixturevalue(fixture))
    assert codes(scope) == ALL
    assert scope.is_provincial


def test_admin_changes_everything(admin_user):
    scope = scope_for(admin_user)
    bangka = Region.objects.get(code="19.01")
    assert scope.can_edit_region(bangka) and scope.can_manage_region(bangka)
    assert scope.can_edit_indicator(bangka, "dinkes") and scope.can_edit_indicator(bangka, None)
    assert scope.editable_owner_kinds(bangka) is None
    assert scope.can_verify


def test_verifikator_verifies_but_changes_no_data(verifikator):
    scope = scope_for(verifikator)
    bangka = Region.objects.get(code="19.01")
    assert scope.can_verify
    assert not scope.can_edit_region(bangka)
    assert not scope.can_edit_indicator(bangka, "dinkes")
    assert scope.editable_owner_kinds(bangka) == frozenset()


def test_pimpinan_reads_only(pimpinan):
    scope = scope_for(pimpinan)
    bangka = Region.objects.get(code="19.01")
    assert scope.can_view_region(bangka)
    assert not (
        scope.can_edit_region(bangka) or scope.can_verify or scope.can_manage_region(bangka)
    )


def test_koordinator_sees_and_changes_only_their_region(koordinator_bangka):
    scope = scope_for(koordinator_bangka)
    bangka, belitung = Region.objects.get(code="19.01"), Region.objects.get(code="19.02")
    assert codes(scope) == {"19.01"}
    assert scope.can_view_region(bangka) and not scope.can_view_region(belitung)
    assert scope.can_edit_indicator(bangka, "dinkes") and scope.can_edit_indicator(bangka, "disdik")
    assert scope.can_manage_region(bangka)
    assert not scope.can_edit_region(belitung)
    assert not scope.can_edit_indicator(belitung, "dinkes")
    assert not scope.can_manage_region(belitung)
    assert not scope.can_verify
    assert scope.get_region_or_404("19.01") == bangka
    with pytest.raises(Http404):
        scope.get_region_or_404("19.02")


def test_koordinator_of_belitung_gets_nothing_of_bangka(koordinator_belitung):
    scope = scope_for(koordinator_belitung)
    assert codes(scope) == {"19.02"}
    with pytest.raises(Http404):
        scope.get_region_or_404("19.01")


def test_operator_changes_only_indicators_of_their_own_opd(operator_dinkes_bangka):
    scope = scope_for(operator_dinkes_bangka)
    bangka, belitung = Region.objects.get(code="19.01"), Region.objects.get(code="19.02")
    assert codes(scope) == {"19.01"}
    assert scope.can_edit_indicator(bangka, "dinkes")
    assert not scope.can_edit_indicator(bangka, "disdik")
    assert not scope.can_edit_indicator(bangka, None)
    assert not scope.can_edit_indicator(belitung, "dinkes")
    assert scope.editable_owner_kinds(bangka) == frozenset({"dinkes"})
    assert scope.editable_owner_kinds(belitung) == frozenset()
    assert not scope.can_manage_region(bangka)


def test_two_operators_of_one_region_do_not_overlap(operator_dinkes_bangka, operator_disdik_bangka):
    bangka = Region.objects.get(code="19.01")
    dinkes, disdik = scope_for(operator_dinkes_bangka), scope_for(operator_disdik_bangka)
    assert dinkes.can_edit_indicator(bangka, "dinkes") and not disdik.can_edit_indicator(
        bangka, "dinkes"
    )
    assert disdik.can_edit_indicator(bangka, "disdik") and not dinkes.can_edit_indicator(
        bangka, "disdik"
    )


def test_user_without_assignment_and_anonymous_see_nothing(unassigned_user):
    from django.contrib.auth.models import AnonymousUser

    assert codes(scope_for(unassigned_user)) == set()
    assert codes(scope_for(AnonymousUser())) == set()
    assert not scope_for(AnonymousUser()).can_view_region(Region.objects.get(code="19.01"))


def test_filter_limits_any_queryset_with_a_region(koordinator_bangka, admin_user):
    edition = Edition.objects.get(program="kla", year=2025)
    for region in Region.objects.exclude(kind="provinsi"):
        Assessment.objects.create(edition=edition, region=region)
    mine = scope_for(koordinator_bangka).filter(Assessment.objects.all())
    assert [a.region.code for a in mine] == ["19.01"]
    assert scope_for(admin_user).filter(Assessment.objects.all()).count() == 7
    via_join = scope_for(koordinator_bangka).filter(
        Edition.objects.all(), field="assessments__region"
    )
    assert set(via_join.values_list("program", flat=True)) == {"kla"}


def test_scope_is_built_with_one_query_and_cached(
    django_assert_num_queries, operator_dinkes_bangka
):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=operator_dinkes_bangka.pk)
    with django_assert_num_queries(1):
        scope_for(user)
        scope_for(user)
