import pytest  # isort: skip

from dataclasses import astuple, replace
from decimal import Decimal as D

from kampung_kb.scoring import (
    IR_ORDER,
    BkkbnClass,
    DesaRow,
    RegionSummary,
    Thresholds,
    bkkbn_class,
    effective_class,
    is_cikar,
    is_standar,
    missing_for_standar,
    summarize,
    summary_rules,
    validate_row,
)

T = Thresholds()
CIKAR = DesaRow(
    kode_desa="19.01.03.2001",
    kampung_kb=True,
    capaian_kkbpk=True,
    kinerja_patbm=True,
    industri_rumahan="berkembang",
    akta_kelahiran_persen=D(90),
    program_lintas_sektor=1,
)


def row(**changes):
    return replace(CIKAR, **changes)


def test_default_thresholds_follow_the_contract():
    assert Thresholds() == Thresholds(
        akta_min_persen=D(85),
        industri_rumahan_min="berkembang",
        lintas_sektor_min=1,
        bkkbn_threshold=3,
        target_persen=D(90),
    )
    assert IR_ORDER == ("tidak_ada", "pemula", "berkembang", "maju")


def test_a_desa_meeting_every_criterion_is_standar_and_cikar():
    assert is_standar(CIKAR, T)
    assert is_cikar(CIKAR, T)
    assert missing_for_standar(CIKAR, T) == ()


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"kampung_kb": False}, "Belum ditetapkan sebagai Kampung KB."),
        ({"capaian_kkbpk": False}, "Capaian KKBPK belum tercapai."),
        ({"kinerja_patbm": False}, "Kinerja PATBM belum memenuhi."),
        (
            {"industri_rumahan": "pemula"},
            "Industri Rumahan minimal tahap berkembang (saat ini: pemula).",
        ),
        (
            {"akta_kelahiran_persen": D(85)},
            "Cakupan akta kelahiran harus di atas 85% (saat ini 85%).",
        ),
    ],
)
def test_each_standar_criterion_failing_alone(changes, reason):
    desa = row(**changes)

    assert not is_standar(desa, T)
    assert not is_cikar(desa, T)
    assert missing_for_standar(desa, T) == (reason,)


@pytest.mark.parametrize(
    ("akta", "standar"),
    [(D(0), False), (D("84.99"), False), (D(85), False), (D("85.01"), True), (D(100), True)],
)
def test_akta_must_be_strictly_above_the_minimum(akta, standar):
    assert is_standar(row(akta_kelahiran_persen=akta), T) is standar


@pytest.mark.parametrize(
    ("stage", "standar"),
    [("tidak_ada", False), ("pemula", False), ("berkembang", True), ("maju", True), ("x", False)],
)
def test_industri_rumahan_must_be_at_least_berkembang(stage, standar):
    assert is_standar(row(industri_rumahan=stage), T) is standar


def test_industri_rumahan_reason_names_the_stage_in_words():
    assert missing_for_standar(row(industri_rumahan="tidak_ada"), T) == (
        "Industri Rumahan minimal tahap berkembang (saat ini: tidak ada).",
    )


@pytest.mark.parametrize(("lintas", "cikar"), [(0, False), (1, True), (5, True)])
def test_cikar_needs_a_cross_sector_programme(lintas, cikar):
    desa = row(program_lintas_sektor=lintas)

    assert is_standar(desa, T)
    assert is_cikar(desa, T) is cikar


def test_missing_lists_only_the_cikar_criterion_for_a_standar_desa():
    assert missing_for_standar(row(program_lintas_sektor=0), T) == (
        "Program lintas sektor minimal 1 (saat ini 0).",
    )


def test_missing_lists_standar_reasons_first_then_cikar():
    desa = row(kinerja_patbm=False, akta_kelahiran_persen=D("70.5"), program_lintas_sektor=0)

    assert missing_for_standar(desa, T) == (
        "Kinerja PATBM belum memenuhi.",
        "Cakupan akta kelahiran harus di atas 85% (saat ini 70.5%).",
        "Program lintas sektor minimal 1 (saat ini 0).",
    )


def test_edition_thresholds_change_the_rules():
    strict = Thresholds(akta_min_persen=D(95), industri_rumahan_min="maju", lintas_sektor_min=2)

    assert not is_standar(CIKAR, strict)
    assert missing_for_standar(CIKAR, strict) == (
        "Industri Rumahan minimal tahap maju (saat ini: berkembang).",
        "Cakupan akta kelahiran harus di atas 95% (saat ini 90%).",
        "Program lintas sektor minimal 2 (saat ini 1).",
    )
    assert is_standar(row(akta_kelahiran_persen=D(80)), Thresholds(akta_min_persen=D(75)))


def test_default_thresholds_apply_when_none_given():
    assert is_cikar(CIKAR)
    assert not is_standar(row(akta_kelahiran_persen=D(85)))


# --- BKKBN class -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indices", "expected"),
    [
        ((3, 3, 3), BkkbnClass.BERKELANJUTAN),
        ((4, 4, 4), BkkbnClass.BERKELANJUTAN),
        ((2, 3, 3), BkkbnClass.MANDIRI),  # output and proses
        ((3, 2, 3), BkkbnClass.MANDIRI),  # output and input
        ((2, 2, 4), BkkbnClass.DASAR),  # output alone
        ((3, 3, 2), BkkbnClass.BERKEMBANG),
        ((4, 3, 1), BkkbnClass.BERKEMBANG),
        ((3, 2, 2), BkkbnClass.DASAR),
        ((2, 3, 2), BkkbnClass.DASAR),
        ((2, 2, 2), BkkbnClass.DASAR),
        ((1, 1, 1), BkkbnClass.DASAR),
    ],
)
def test_bkkbn_class_at_default_threshold(indices, expected):
    assert bkkbn_class(*indices) == expected


@pytest.mark.parametrize("indices", [(None, 3, 3), (3, None, 3), (3, 3, None), (None,) * 3])
def test_bkkbn_class_needs_all_three_indices(indices):
    assert bkkbn_class(*indices) is None


@pytest.mark.parametrize(
    ("indices", "threshold", "expected"),
    [
        ((2, 2, 2), 2, BkkbnClass.BERKELANJUTAN),
        ((1, 2, 2), 2, BkkbnClass.MANDIRI),
        ((3, 3, 3), 4, BkkbnClass.DASAR),
        ((4, 3, 4), 4, BkkbnClass.MANDIRI),
        ((4, 4, 3), 4, BkkbnClass.BERKEMBANG),
        ((4, 4, 4), 4, BkkbnClass.BERKELANJUTAN),
    ],
)
def test_bkkbn_class_with_a_changed_threshold(indices, threshold, expected):
    assert bkkbn_class(*indices, threshold=threshold) == expected


def test_effective_class_computes_from_indices_over_the_stated_class():
    desa = row(kelas_bkkbn="Dasar", indeks_input=3, indeks_proses=3, indeks_output=3)

    assert effective_class(desa, T) == BkkbnClass.BERKELANJUTAN
    assert effective_class(desa, Thresholds(bkkbn_threshold=4)) == BkkbnClass.DASAR


@pytest.mark.parametrize(
    ("stated", "expected"),
    [
        ("Mandiri", BkkbnClass.MANDIRI),
        ("berkelanjutan", BkkbnClass.BERKELANJUTAN),
        (None, None),
        ("Maju", None),
    ],
)
def test_effective_class_falls_back_to_the_stated_class(stated, expected):
    desa = row(kelas_bkkbn=stated, indeks_input=4, indeks_proses=4)  # no output index

    assert effective_class(desa, T) == expected


# --- thresholds from stored parameters -------------------------------------------------------


def test_thresholds_from_params_accept_strings():
    params = {
        "akta_min_persen": "80.5",
        "industri_rumahan_min": " Maju ",
        "lintas_sektor_min": "2",
        "bkkbn_threshold": 4,
        "target_persen": "75",
        "unknown": "ignored",
    }

    assert Thresholds.from_params(params) == Thresholds(D("80.5"), "maju", 2, 4, D(75))


def test_thresholds_from_params_default_missing_or_empty_keys():
    assert Thresholds.from_params({}) == T
    assert Thresholds.from_params({"akta_min_persen": None, "bkkbn_threshold": "3.0"}) == T


@pytest.mark.parametrize(
    "params",
    [
        {"akta_min_persen": "banyak"},
        {"lintas_sektor_min": "1.5"},
        {"industri_rumahan_min": "besar"},
    ],
)
def test_thresholds_from_params_refuse_nonsense(params):
    with pytest.raises(ValueError, match=next(iter(params))):
        Thresholds.from_params(params)


# --- region summary --------------------------------------------------------------------------


def desa(n, **changes):
    return row(kode_desa=f"19.01.03.20{n:02d}", **changes)


def test_summary_of_a_region_without_desa():
    assert summarize(0, [], T) == RegionSummary(
        desa_total=0,
        kampung_kb=0,
        standar=0,
        cikar=0,
        persen_kampung_kb=D("0.00"),
        target_persen=D(90),
        target_tercapai=False,
        kurang_untuk_target=0,
        rules=summary_rules(potensial_default=True),
        provisional_rules=("KKB-POTENSIAL",),  # no figure of desa potensial: the default
    )


def test_summary_with_target_reached():
    rows = [desa(i) for i in range(9)] + [desa(9, kampung_kb=False)]

    assert counts(summarize(10, rows, T)) == (10, 9, 9, 9, D("90.00"), D(90), True, 0)


def test_summary_with_target_not_reached_counts_desa_without_a_row_as_not_designated():
    rows = [
        desa(1),  # cikar
        desa(2, program_lintas_sektor=0),  # standar only
        desa(3, akta_kelahiran_persen=D(85)),  # designated only
        desa(4, kampung_kb=False),
    ]

    summary = summarize(7, rows, T)

    # 3 of 7 = 42.857 %; 90 % of 7 = 6.3, so 7 are needed: 4 more.
    assert counts(summary) == (7, 3, 2, 1, D("42.86"), D(90), False, 4)


def test_summary_counts_a_repeated_desa_once_with_its_last_row():
    rows = [desa(1), desa(1, kampung_kb=False), desa(2)]

    assert counts(summarize(2, rows, T)) == (2, 1, 1, 1, D("50.00"), D(90), False, 1)


def test_summary_uses_the_edition_target():
    rows = [desa(i) for i in range(3)]

    summary = summarize(4, rows, Thresholds(target_persen=D(75)))

    assert (summary.persen_kampung_kb, summary.target_tercapai, summary.kurang_untuk_target) == (
        D("75.00"),
        True,
        0,
    )


# --- row validation --------------------------------------------------------------------------

VALID = {
    "kampung_kb": True,
    "capaian_kkbpk": False,
    "kinerja_patbm": True,
    "industri_rumahan": "pemula",
    "akta_kelahiran_persen": D("85.5"),
    "program_lintas_sektor": 0,
    "kelas_bkkbn": "Mandiri",
    "indeks_input": 1,
    "indeks_proses": 4,
    "indeks_output": None,
}


def test_validate_row_accepts_a_valid_row():
    assert validate_row(VALID) == {}


def test_validate_row_accepts_empty_optional_fields_and_text_numbers():
    changes = {"kelas_bkkbn": "", "indeks_input": None, "akta_kelahiran_persen": "85,5"}

    assert validate_row(VALID | changes) == {}


def test_validate_row_checks_only_the_fields_given():
    assert validate_row({"program_lintas_sektor": 2}) == {}


IR_MESSAGE = "Industri Rumahan harus salah satu dari: tidak_ada, pemula, berkembang, maju."
AKTA_MESSAGE = "Persentase akta kelahiran harus antara 0 dan 100."
INDEX_MESSAGE = "Indeks harus bilangan bulat 1–4."


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"industri_rumahan": "sedang"}, {"industri_rumahan": IR_MESSAGE}),
        ({"industri_rumahan": "Maju"}, {"industri_rumahan": IR_MESSAGE}),
        ({"industri_rumahan": None}, {"industri_rumahan": "Wajib diisi."}),
        ({"akta_kelahiran_persen": D("-0.01")}, {"akta_kelahiran_persen": AKTA_MESSAGE}),
        ({"akta_kelahiran_persen": D("100.01")}, {"akta_kelahiran_persen": AKTA_MESSAGE}),
        ({"akta_kelahiran_persen": "banyak"}, {"akta_kelahiran_persen": AKTA_MESSAGE}),
        ({"akta_kelahiran_persen": ""}, {"akta_kelahiran_persen": "Wajib diisi."}),
        (
            {"program_lintas_sektor": -1},
            {"program_lintas_sektor": "Jumlah program lintas sektor tidak boleh negatif."},
        ),
        (
            {"program_lintas_sektor": D("1.5")},
            {"program_lintas_sektor": "Jumlah program lintas sektor harus bilangan bulat."},
        ),
        ({"indeks_input": 0}, {"indeks_input": INDEX_MESSAGE}),
        ({"indeks_proses": 5}, {"indeks_proses": INDEX_MESSAGE}),
        ({"indeks_output": D("2.5")}, {"indeks_output": INDEX_MESSAGE}),
        ({"indeks_output": "tinggi"}, {"indeks_output": INDEX_MESSAGE}),
        (
            {"kelas_bkkbn": "Maju"},
            {
                "kelas_bkkbn": "Kelas BKKBN harus salah satu dari: "
                "Dasar, Berkembang, Mandiri, Berkelanjutan."
            },
        ),
    ],
)
def test_validate_row_messages(changes, errors):
    assert validate_row(VALID | changes) == errors


def test_validate_row_reports_every_invalid_field():
    changes = {"industri_rumahan": "x", "akta_kelahiran_persen": 120, "indeks_input": 9}

    assert validate_row(VALID | changes) == {
        "industri_rumahan": IR_MESSAGE,
        "akta_kelahiran_persen": AKTA_MESSAGE,
        "indeks_input": INDEX_MESSAGE,
    }


def counts(summary):
    """The counts and target of a summary, without the rules it rests on."""
    return astuple(summary)[:8]


# --- desa potensial as the target's base, and the rules the counts rest on --------------------


def test_target_is_90_percent_of_the_potential_desa_not_of_all():
    rows = [desa(i) for i in range(9)]

    every = summarize(20, rows, T)  # no figure: all 20 count, 18 needed
    potential = summarize(20, rows, T, desa_potensial=10)  # 9 of 10 potential: reached

    assert (every.kurang_untuk_target, every.target_tercapai, every.target_base) == (9, False, 20)
    assert (potential.persen_kampung_kb, potential.target_tercapai) == (D("90.00"), True)
    assert (potential.kurang_untuk_target, potential.target_base) == (0, 10)
    assert potential.desa_total == 20


def test_defaulted_potential_base_is_provisional_and_an_entered_one_is_not():
    rows = [desa(1)]

    defaulted = summarize(5, rows, T)
    entered = summarize(5, rows, T, desa_potensial=4)

    assert defaulted.potensial_default and "KKB-POTENSIAL" in defaulted.provisional_rules
    assert defaulted.provisional
    assert not entered.potensial_default
    assert "KKB-POTENSIAL" not in entered.rules
    assert entered.provisional_rules == () and not entered.provisional


def test_summary_lists_the_provisional_rules_it_depends_on_in_rule_order():
    summary = summarize(
        5, [desa(1)], T, desa_potensial=5, provisional={"KKB-BKKBN", "KKB-IR", "KKB-CIKAR"}
    )

    assert summary.rules == ("KKB-STANDAR", "KKB-AKTA", "KKB-IR", "KKB-CIKAR", "KKB-TARGET")
    assert summary.provisional_rules == ("KKB-IR", "KKB-CIKAR")  # not the BKKBN class rule


def test_no_potential_desa_means_nothing_to_measure():
    summary = summarize(5, [desa(1)], T, desa_potensial=0)

    assert (summary.persen_kampung_kb, summary.target_tercapai, summary.kurang_untuk_target) == (
        D("0.00"),
        False,
        0,
    )
