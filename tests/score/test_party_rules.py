"""HT_SHARED_IDENTIFIERS and SANCTIONS_HIT on parties."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from party_samples import PARTY, accounts, customers

from finflow.score.entities import resolve
from finflow.score.party_rules import sanctions_list_path, screen_parties, shared_identifiers

PERIOD = ("2022-09-01T00:00:00+00:00", "2022-09-28T00:00:00+00:00")
HT = PARTY.rules["HT_SHARED_IDENTIFIERS"]
SANCTIONS = PARTY.rules["SANCTIONS_HIT"]


def _ht(*rows):  # type: ignore[no-untyped-def]
    kyc = customers(*rows)
    return shared_identifiers(kyc, resolve(accounts(), kyc, PARTY.resolution), HT, PERIOD)


def test_three_surnames_at_one_address_fire_with_the_identifier_as_evidence() -> None:
    (alert,) = _ht(
        ("C1", "Ahmed Karimi", "1990-01-01", ["Flat 2, 5 Mill Lane"], None, None, ["1:a"]),
        ("C2", "Ana Popescu", "1991-01-01", ["flat 2 5 mill lane"], None, None, ["1:b"]),
        ("C3", "Van An Nguyen", "1992-01-01", ["Flat 2, 5 Mill Lane"], None, None, ["1:c"]),
    )
    assert alert["rule_id"] == "HT_SHARED_IDENTIFIERS"
    assert alert["accounts"] == ["1:a", "1:b", "1:c"]
    assert len(alert["parties"]) == 3
    assert alert["findings"]["shared"][0]["identifier"] == "address"
    assert [m["customer_id"] for m in alert["findings"]["members"]] == ["C1", "C2", "C3"]
    assert alert["metrics"]["distinct_surnames"] == 3


def test_a_phone_and_a_device_shared_by_one_ring_make_one_alert() -> None:
    (alert,) = _ht(
        ("C1", "Ahmed Karimi", None, [], "07700900001", None, ["1:a"], "DEV1"),
        ("C2", "Ana Popescu", None, [], "+44 7700 900001", None, ["1:b"], "DEV1"),
        ("C3", "Bo Li", None, [], "0044 7700 900001", None, ["1:c"], "DEV1"),
    )
    assert alert["metrics"]["identifiers"] == ["device", "phone"]


def test_families_flats_of_two_and_one_person_twice_do_not_fire() -> None:
    family = [
        (f"F{i}", f"{g} Karimi", f"19{70 + i}-01-01", ["5 Mill Lane"], None, None, [])
        for i, g in enumerate(["Ahmed", "Sara", "Omid", "Leila"])
    ]
    flat = [
        ("S1", "Tom Hughes", None, ["Flat 1, 3 Student Row"], None, None, []),
        ("S2", "Bo Li", None, ["Flat 1, 3 Student Row"], None, None, []),
    ]
    same_person = [
        ("P1", "Ana Popescu", "1980-01-01", ["7 Quay Rd"], None, None, []),
        ("P2", "POPESCU Ana", "1980-01-01", ["7 Quay Rd"], None, None, []),
        ("P3", "Bo Li", None, ["7 Quay Rd"], None, None, []),
    ]
    assert _ht(*family, *flat, *same_person) == []


@pytest.fixture(scope="module")
def screened():  # type: ignore[no-untyped-def]
    kyc = customers(
        ("C1", "ZANDERVELT Bartholomew Quillon", "1971-03-14", [], None, None, ["1:a"]),
        ("C2", "Святослав Орловцев", "1980-11-02", [], None, None, ["1:b"]),
        ("C3", "Bartholomew Zander", "1990-06-01", [], None, None, ["1:c"]),
        ("C4", "Mary Smith", "1985-01-01", [], None, None, ["1:d"]),
    )
    res = resolve(accounts(), kyc, PARTY.resolution)
    names = dict(zip(res.parties["party_id"], res.parties["name"], strict=True))
    alerts, results = screen_parties(res, SANCTIONS, PERIOD, sanctions_list_path())
    return names, alerts, results


def test_word_order_and_transliteration_are_possible_matches_for_review(screened) -> None:  # type: ignore[no-untyped-def]
    names, alerts, results = screened
    by_name = {names[r["party_id"]]: r for r in results}
    assert by_name["ZANDERVELT Bartholomew Quillon"]["designated_name"].endswith("ZANDERVELT")
    assert "ORLOVTSEV" in by_name["Святослав Орловцев"]["designated_name"]
    for row in results:
        assert row["status"] == "possible match - for human review"
        assert 0 < row["score"] <= 1 and row["explanation"] and row["list_id"]
    assert {a["rule_id"] for a in alerts} == {"SANCTIONS_HIT"}
    assert all(a["findings"] for a in alerts)


def test_a_near_miss_and_an_unrelated_name_are_not_matched(screened) -> None:  # type: ignore[no-untyped-def]
    names, _alerts, results = screened
    hit = {names[r["party_id"]] for r in results}
    assert "Mary Smith" not in hit
    assert "Bartholomew Zander" not in hit


def test_the_list_path_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FINFLOW_SANCTIONS_LIST", str(tmp_path / "list.csv"))
    assert sanctions_list_path() == tmp_path / "list.csv"


def test_every_party_with_a_matched_name_and_dob_is_reported_once_in_party_order() -> None:
    kyc = customers(
        ("C1", "ZANDERVELT Bartholomew Quillon", None, [], None, None, ["1:a"]),
        ("C2", "ZANDERVELT Bartholomew Quillon", None, [], None, None, ["1:b"]),
        ("C3", "ZANDERVELT Bartholomew Quillon", "1971-03-14", [], None, None, ["1:c"]),
        ("C4", "Mary Smith", None, [], None, None, ["1:d"]),
    )
    res = resolve(accounts(), kyc, PARTY.resolution)
    alerts, results = screen_parties(res, SANCTIONS, PERIOD, sanctions_list_path())
    hit = sorted(res.customer_party.filter(pl.col("customer_id") != "C4")["party_id"])
    assert [a["parties"][0] for a in alerts] == hit
    assert sorted({r["party_id"] for r in results}) == hit
    assert [r["party_id"] for r in results] == sorted(r["party_id"] for r in results)
