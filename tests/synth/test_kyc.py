"""The generated KYC and institutions files: readable, deterministic, with what was planted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from finflow.detect.registry import DETECTORS
from finflow.detect.rules import load_rules
from finflow.ingest.reference import read_reference
from finflow.ingest.sniff import sniff
from finflow.schema import ACCOUNT_SCHEMA
from finflow.score.config import load_party_config
from finflow.score.entities import resolve
from finflow.score.party_rules import sanctions_list_path, screen_parties, shared_identifiers
from finflow.synth.generator import generate

PARTY = load_party_config(load_rules(known=set(DETECTORS)))
PERIOD = ("2022-09-01T00:00:00+00:00", "2022-09-28T00:00:00+00:00")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("kyc")
    summary = generate(out, rows=20_000, seed=7)
    customers, bad_c = read_reference(out / "customers.csv", "0" * 64, "customers")
    institutions, bad_i = read_reference(out / "institutions.csv", "0" * 64, "institutions")
    accounts = (
        pl.read_csv(out / "SYNTH_accounts.csv", infer_schema=False)
        .select(
            bank="Bank ID",
            account="Account Number",
            bank_name="Bank Name",
            entity_id="Entity ID",
            entity_name="Entity Name",
            source_file=pl.lit("a"),
            source_sha256=pl.lit("0"),
            source_row=pl.lit(1, pl.Int64),
        )
        .cast(ACCOUNT_SCHEMA)
    )  # type: ignore[arg-type]
    truth = json.loads((out / "truth" / "SYNTH_kyc_truth.json").read_text(encoding="utf-8"))
    resolution = resolve(accounts, customers, PARTY.resolution)
    return {
        "out": out,
        "summary": summary,
        "customers": customers,
        "institutions": institutions,
        "quarantined": bad_c.height + bad_i.height,
        "truth": truth,
        "resolution": resolution,
    }


def test_files_are_recognised_and_every_row_is_accepted(world: dict[str, Any]) -> None:
    out: Path = world["out"]
    assert sniff(out / "customers.csv").format == "customers"
    assert sniff(out / "institutions.csv").format == "institutions"
    assert world["quarantined"] == 0
    assert world["summary"]["customers"] == world["customers"].height
    assert set(world["institutions"]["type"]) == {"bank", "msb", "crypto_exchange"}
    # the truth file is in a subfolder, so it is not taken for a feed
    assert not list(out.glob("*kyc_truth*"))


def test_planted_duplicates_merge_and_namesakes_do_not(world: dict[str, Any]) -> None:
    cp = world["resolution"].customer_party
    party = dict(zip(cp["customer_id"], cp["party_id"], strict=True))
    truth = world["truth"]
    assert truth["duplicates"] and truth["namesakes"]
    assert all(party[a] == party[b] for a, b in truth["duplicates"])
    assert all(party[a] != party[b] for a, b in truth["namesakes"])
    merges = world["resolution"].merges
    review = set(merges.filter(pl.col("status") == "needs_review").select("left", "right").rows())
    assert truth["for_review"]
    for a, b in truth["for_review"]:
        assert party[a] != party[b]
        assert (min(a, b), max(a, b)) in review


def test_rings_fire_and_families_and_flats_do_not(world: dict[str, Any]) -> None:
    res, truth = world["resolution"], world["truth"]
    alerts = shared_identifiers(
        world["customers"], res, PARTY.rules["HT_SHARED_IDENTIFIERS"], PERIOD
    )
    flagged = [{m["customer_id"] for m in a["findings"]["members"]} for a in alerts]
    for ring in truth["rings"]:
        assert set(ring) in flagged
    benign = {c for group in truth["families"] + truth["flats"] for c in group}
    assert not any(group & benign for group in flagged)
    # Ordinary customers do not share an address, phone or email by chance: only rings fire.
    assert sorted(map(sorted, flagged)) == sorted(map(sorted, truth["rings"]))


def test_sanctions_name_variants_are_possible_matches(world: dict[str, Any]) -> None:
    res, truth = world["resolution"], world["truth"]
    _alerts, results = screen_parties(
        res, PARTY.rules["SANCTIONS_HIT"], PERIOD, sanctions_list_path()
    )
    cp = world["resolution"].customer_party
    party = dict(zip(cp["customer_id"], cp["party_id"], strict=True))
    matched = {r["party_id"] for r in results}
    assert truth["sanctions_variants"]
    for planted in truth["sanctions_variants"]:
        assert party[planted["customer_id"]] in matched, planted


def test_the_same_seed_writes_identical_files(tmp_path: Path, world: dict[str, Any]) -> None:
    generate(tmp_path, rows=20_000, seed=7)
    for name in ("customers.csv", "institutions.csv"):
        assert (tmp_path / name).read_bytes() == (world["out"] / name).read_bytes()
