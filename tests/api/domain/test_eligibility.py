"""Eligibility per programme, from the rules file, with a reason per programme."""

from __future__ import annotations

from pathlib import Path

import pytest

import messages
from api.domain.eligibility import RulesError, Standing, assess, default_rules, load_rules


def standing_of(results, programme):
    return next(r for r in results if r.programme == programme)


def test_enrolled_family_within_the_limit_is_a_recipient():
    result = standing_of(assess(default_rules(), desil=3, enrolled=["PKH"], exclusions=[]), "PKH")
    assert result.standing is Standing.RECIPIENT and result.eligible
    assert result.params == {"desil": 3, "max_desil": 4}


def test_desil_above_the_programme_limit_is_not_eligible_and_names_both_numbers():
    result = standing_of(assess(default_rules(), desil=7, enrolled=[], exclusions=[]), "SEMBAKO")
    assert result.standing is Standing.NOT_ELIGIBLE
    assert result.reason == "desil_above_limit"
    text = messages.render(
        "id", "eligibility.reason_desil_above_limit", programme="Sembako", **result.params
    )
    assert "desil 7" in text and "1–4" in text


def test_pbi_jk_reaches_one_desil_further_than_pkh():
    results = assess(default_rules(), desil=5, enrolled=[], exclusions=[])
    assert standing_of(results, "PKH").reason == "desil_above_limit"
    assert standing_of(results, "PBI_JK").standing is Standing.NOT_DESIGNATED


def test_family_within_the_limit_but_not_enrolled_is_told_to_file_an_usul():
    result = standing_of(assess(default_rules(), desil=2, enrolled=[], exclusions=[]), "PKH")
    assert result.standing is Standing.NOT_DESIGNATED
    assert "usul" in messages.render(
        "id", "eligibility.next_not_designated", programme="PKH", **result.params
    )


def test_exclusion_wins_over_an_enrolment():
    results = assess(
        default_rules(), desil=2, enrolled=["PKH", "PBI_JK"], exclusions=["ASN_TNI_POLRI"]
    )
    assert standing_of(results, "PKH").reason == "excluded_asn_tni_polri"
    assert not standing_of(results, "PKH").eligible


def test_an_exclusion_closes_only_the_programmes_it_lists():
    results = assess(
        default_rules(),
        desil=2,
        enrolled=["SEMBAKO", "PBI_JK"],
        exclusions=["LISTRIK_DI_ATAS_1300VA"],
    )
    assert standing_of(results, "SEMBAKO").reason == "excluded_listrik_di_atas_1300va"
    assert standing_of(results, "PBI_JK").standing is Standing.RECIPIENT


def test_first_listed_exclusion_is_the_reason_shown():
    results = assess(default_rules(), desil=2, enrolled=[], exclusions=["GAJI_BPJS", "MENINGGAL"])
    assert standing_of(results, "PKH").reason == "excluded_meninggal"


def test_family_without_a_desil_is_not_ranked():
    result = standing_of(assess(default_rules(), desil=None, enrolled=[], exclusions=[]), "PKH")
    assert result.reason == "not_ranked"


@pytest.mark.parametrize("locale", messages.LOCALES)
def test_every_reason_and_next_step_has_a_sentence_in_every_locale(locale):
    rules = default_rules()
    reasons = {"recipient", "not_designated", "desil_above_limit", "not_ranked"}
    reasons |= {f"excluded_{code.lower()}" for code in rules.exclusions}
    for reason in reasons:
        for kind in ("reason", "next"):
            text = messages.render(
                locale, f"eligibility.{kind}_{reason}", programme="PKH", desil=3, max_desil=4
            )
            assert len(text) > 20, (locale, kind, reason)
    for code in rules.programmes:
        assert messages.render(locale, "eligibility.programme_name", code=code) != ""


def test_rules_naming_an_unknown_programme_are_refused(tmp_path: Path):
    path = tmp_path / "rules.yaml"
    path.write_text(
        "programmes:\n  PKH: {name: PKH, max_desil: 4}\n"
        "exclusions:\n  ASN: {programmes: [PKH, BOGUS]}\n"
    )
    with pytest.raises(RulesError, match="ASN names unknown programmes \\['BOGUS'\\]"):
        load_rules(path)


def test_a_family_member_is_covered_by_the_family_programme_of_the_head():
    results = assess(
        default_rules(),
        desil=3,
        enrolled=["PBI_JK"],
        exclusions=[],
        family_enrolled=["SEMBAKO", "PBI_JK"],
    )
    assert standing_of(results, "SEMBAKO").reason == "recipient_family"
    assert standing_of(results, "SEMBAKO").eligible
    # PBI-JK is per person: a relative's enrolment does not cover anyone else.
    assert (
        standing_of(
            assess(
                default_rules(), desil=3, enrolled=[], exclusions=[], family_enrolled=["PBI_JK"]
            ),
            "PBI_JK",
        ).reason
        == "not_designated"
    )


def test_a_personal_exclusion_still_wins_over_the_family_enrolment():
    results = assess(
        default_rules(), desil=3, enrolled=[], exclusions=["MENINGGAL"], family_enrolled=["PKH"]
    )
    assert standing_of(results, "PKH").reason == "excluded_meninggal"


def test_exclusions_may_be_given_as_a_one_shot_iterator():
    results = assess(
        default_rules(), desil=3, enrolled=iter(()), exclusions=filter(None, ["ASN_TNI_POLRI"])
    )
    assert standing_of(results, "PKH").reason == "excluded_asn_tni_polri"


def test_a_remembered_assessment_is_the_one_assess_gives_for_every_record_shape():
    rules = load_rules()
    codes = list(rules.programmes)
    shapes = [
        (desil, ";".join(codes[: n % (len(codes) + 1)]), exclusions, family)
        for n, desil in enumerate([None, *range(1, 11)])
        for exclusions in ("", "MENINGGAL", "GAJI_BPJS;ASN_TNI_POLRI")
        for family in (frozenset(), frozenset({"PKH"}), frozenset({"SEMBAKO", "BLT"}))
    ]
    for _ in range(2):  # the second pass answers from memory
        for desil, programmes, exclusions, family in shapes:
            assert rules.assess_record(desil, programmes, exclusions, family) == assess(
                rules,
                desil=desil,
                enrolled=filter(None, programmes.split(";")),
                exclusions=filter(None, exclusions.split(";")),
                family_enrolled=family,
            )
