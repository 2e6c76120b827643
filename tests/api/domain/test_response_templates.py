"""Response templates: what a body may name, how it is filled, what is refused when saved."""

from __future__ import annotations

from api.domain.response_templates import (
    MAX_BODY,
    MAX_TITLE,
    TemplateDraft,
    TemplateProblem,
    fill,
    placeholders_in,
    problems_of,
)


def draft(body: str = "Pengaduan {tracking_id} diterima.", **changes) -> TemplateDraft:
    values = {"category_code": "PUNGLI", "locale": "id", "title": "Diterima", "body": body}
    return TemplateDraft(**{**values, **changes})


def kinds(found) -> list[TemplateProblem]:
    return [problem.problem for problem in found]


def test_placeholders_are_listed_once_in_order_of_first_use():
    body = "{office}: {tracking_id} ({category}) — {office}"
    assert placeholders_in(body) == ("office", "tracking_id", "category")


def test_fill_puts_the_complaints_facts_in_and_leaves_the_rest_of_the_text():
    body = "Pengaduan {tracking_id} ditangani {office}. Rp50.000 tetap."
    filled = fill(body, {"tracking_id": "BNS-7K2Q-9XWD", "office": "Dinsos Banyuwangi"})
    assert filled == "Pengaduan BNS-7K2Q-9XWD ditangani Dinsos Banyuwangi. Rp50.000 tetap."


def test_fill_leaves_a_placeholder_without_a_value_as_written():
    assert fill("{tracking_id} / {category}", {"tracking_id": "X"}) == "X / {category}"


def test_a_value_that_looks_like_a_placeholder_is_not_filled_again():
    assert fill("{office}", {"office": "{tracking_id}", "tracking_id": "X"}) == "{tracking_id}"


def test_a_good_template_has_no_problem():
    assert problems_of(draft("Pengaduan {tracking_id} untuk {office}, {category}.")) == []


def test_an_unknown_placeholder_is_named_with_those_that_exist():
    (problem,) = problems_of(draft("Pengaduan {trackng_id} oleh {kantor}."))
    assert problem.field == "body" and problem.problem == TemplateProblem.PLACEHOLDER_UNKNOWN
    assert problem.params["names"] == "{trackng_id}, {kantor}"
    assert problem.params["known"] == "{tracking_id}, {office}, {category}"


def test_a_brace_that_opens_no_placeholder_is_refused():
    assert kinds(problems_of(draft("Nomor {tracking_id"))) == [TemplateProblem.BRACE_UNMATCHED]
    assert kinds(problems_of(draft("Nomor tracking_id}"))) == [TemplateProblem.BRACE_UNMATCHED]
    assert kinds(problems_of(draft("Nomor { tracking_id }"))) == [TemplateProblem.BRACE_UNMATCHED]


def test_missing_and_overlong_fields_are_each_told_with_their_field():
    found = problems_of(draft("   ", title=" "))
    assert [(p.field, p.problem) for p in found] == [
        ("title", TemplateProblem.TITLE_MISSING),
        ("body", TemplateProblem.BODY_MISSING),
    ]
    found = problems_of(draft("x" * (MAX_BODY + 1), title="t" * (MAX_TITLE + 1)))
    assert kinds(found) == [TemplateProblem.TITLE_TOO_LONG, TemplateProblem.BODY_TOO_LONG]
    assert found[1].params == {"maximum": MAX_BODY, "length": MAX_BODY + 1}


def test_the_longest_allowed_title_and_body_pass():
    assert problems_of(draft("x" * MAX_BODY, title="t" * MAX_TITLE)) == []


def test_only_the_consoles_languages_are_accepted():
    assert kinds(problems_of(draft(locale="jv"))) == [TemplateProblem.LOCALE_UNKNOWN]
    assert problems_of(draft(locale="en")) == []
