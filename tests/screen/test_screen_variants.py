"""It finds a designated name through what real names go through, and says why."""

from __future__ import annotations

import pytest

from finflow.screen import DEFAULT_THRESHOLD, Screener


def top(screener: Screener, name: str, **kw: str) -> str | None:
    matches = screener.screen(name, **kw)  # type: ignore[arg-type]
    return matches[0].unique_id if matches else None


@pytest.mark.parametrize(
    ("kind", "query", "expected"),
    [
        ("exact", "Mohammed Abdulrahman Al-Tikriti", "TST001"),
        ("word order", "AL-TIKRITI, Mohammed Abdulrahman", "TST001"),
        ("word order", "Zebari Rebwar", "TST004"),
        ("arabic spelling", "Muhamad Abdel Rahman Tikriti", "TST001"),
        ("cyrillic script", "Сергей Воробьёв", "TST002"),
        ("cyrillic icao", "Sergei Evgenevich Vorobev", "TST002"),
        ("persian spelling", "Husain Rezaee", "TST003"),
        ("kurdish latin", "Rêbwar Kawa Zêbarî", "TST004"),
        ("chinese characters", "张伟强", "TST005"),
        ("chinese wade-giles", "Chang Wei-ch'iang", "TST005"),
        ("chinese given name first", "Wei Qiang Zhang", "TST005"),
        ("vietnamese diacritics", "Nguyễn Văn Thành", "TST006"),
        ("vietnamese order", "Thanh Nguyen Van", "TST006"),
        ("no vowels", "Mhmd Abdlrhmn Tkrt", "TST001"),
        ("typo", "Mohammed Abdulrahman Al-Tikrito", "TST001"),
        ("ocr", "Mohamrned Abdulrahman Al-Tikriti", "TST001"),
        ("transposed", "Mohammed Abdulrahman Al-Tikirti", "TST001"),
        ("truncated", "Sergey Yevgenyevich Vorob", "TST002"),
        ("initials", "M. A. Al-Tikriti", "TST001"),
        ("titles", "Dr. Sheikh Haji Mohammed Abdulrahman Al-Tikriti Jr.", "TST001"),
        ("particles", "Mohammed bin Abdulrahman Tikriti", "TST001"),
        ("glued particle", "Ali Hassan Alzubaidi", "TST010"),
        ("nickname", "Bob Pemberton", "TST007"),
        ("legal form", "Zandervelt Maritime Trading Limited", "TST008"),
        ("generic word dropped", "Zandervelt Maritime Ltd", "TST008"),
        ("weak alias", "Abu Hamza al-Iraqi", "TST001"),
        ("middle name left out", "Olusegun Adekanmbi", "TST009"),
    ],
)
def test_it_finds_the_designation_through_a_variant(
    screener: Screener, kind: str, query: str, expected: str
) -> None:
    assert top(screener, query) == expected, kind


@pytest.mark.parametrize(
    ("kind", "query"),
    [
        ("shared surname", "Dmitry Vorobyov"),
        ("shared surname", "Anna Pemberton"),
        ("shared first name", "Sergey Kuznetsov"),
        ("shared first name", "Olusegun Bakare"),
        ("common name", "Mohammed Ali"),
        ("common name", "Ali Hassan"),
        ("common name", "John Smith"),
        ("surname alone", "Tikriti"),
        ("shared org word", "Zandervelt Falcon Shipping Ltd"),
        ("generic org words only", "Maritime Trading Group LLC"),
    ],
)
def test_it_does_not_flag_a_hard_negative(screener: Screener, kind: str, query: str) -> None:
    assert screener.screen(query) == [], kind


def test_a_weak_alias_is_weaker_evidence_than_the_primary_name(screener: Screener) -> None:
    weak = screener.screen("Abu Hamza al-Iraqi")[0]
    primary = screener.screen("Mohammed Abdulrahman Al-Tikriti")[0]
    assert weak.name_type == "Alias" and primary.name_type == "Primary Name"
    assert weak.score < primary.score
    assert "low-quality alias" in weak.explanation


def test_a_conflicting_date_of_birth_pushes_the_same_name_below_the_threshold(
    screener: Screener,
) -> None:
    assert top(screener, "Robert Pemberton") == "TST007"
    assert screener.screen("Robert Pemberton", dob="1980-01-01") == []
    assert screener.screen("Robert Pemberton", dob="1975") == []
    assert screener.screen("Mohammed Abdulrahman Al-Tikriti", dob="1990-03-14") == []


def test_an_agreeing_date_of_birth_raises_the_score_and_a_missing_one_is_neutral(
    screener: Screener,
) -> None:
    none = screener.screen("Sergei Vorobev")[0]
    empty = screener.screen("Sergei Vorobev", dob="")[0]
    year = screener.screen("Sergei Vorobev", dob="1980")[0]
    day = screener.screen("Sergei Vorobev", dob="1980-11-02")[0]
    assert none.score == empty.score
    assert none.score < year.score < day.score
    assert day.dob_outcome == "agree-day" and none.dob_outcome == "none"
    assert "date of birth agrees to the day (1980-11-02, +0.08)" in day.explanation
    assert "no date of birth to compare (neutral)" in none.explanation


def test_a_listed_name_without_a_date_of_birth_is_neutral(screener: Screener) -> None:
    with_dob = screener.screen("Ali Hassan Al-Zubaidi", dob="1950-01-01")[0]
    without = screener.screen("Ali Hassan Al-Zubaidi")[0]
    assert with_dob.score == without.score


def test_the_query_type_restricts_the_kind_of_designation(screener: Screener) -> None:
    assert top(screener, "Silver Kestrel") == "TST011"
    assert screener.screen("Zandervelt Maritime Trading LLC", kind="Person") == []
    assert top(screener, "Zandervelt Maritime Trading LLC", kind="Organization") == "TST008"


def test_the_explanation_names_the_tokens_and_stays_neutral(screener: Screener) -> None:
    match = screener.screen("Husain Rezaee", dob="1965")[0]
    text = match.explanation
    assert text.startswith("possible match for review")
    assert "husain~hossein" in text and "rezaee~rezaei" in text
    assert "year of birth agrees" in text
    assert match.designated_name == "Hossein REZAEI"
    assert match.regime.startswith("Invented Regime")
    for word in ("guilty", "criminal", "confirmed", "is the designated"):
        assert word not in text.lower()


def test_scores_are_between_zero_and_one_and_respect_the_threshold(screener: Screener) -> None:
    for threshold in (0.6, DEFAULT_THRESHOLD, 0.9):
        for match in screener.screen("Mohamed Al-Tikriti", threshold=threshold):
            assert threshold <= match.score <= 1.0
