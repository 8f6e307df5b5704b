"""Dated reference data reaches the rules; the frame knows countries where the data say."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
from txbuild import at, frame, tx

from finflow.detect.frame import PROVENANCE, country_of, detection_frame
from finflow.detect.refdata import corridor_countries
from finflow.detect.registry import DETECTORS
from finflow.detect.rules import DEFAULT_RULES_PATH, load_rules
from finflow.detect.smuggling import crossing_fee


def _rules_dir(tmp_path: Path, reference_edit: tuple[str, str] | None = None) -> Path:
    for name in ("default.yaml", "reference.yaml", "narrative_lexicon.yaml"):
        text = (DEFAULT_RULES_PATH.parent / name).read_text()
        if name == "reference.yaml" and reference_edit:
            assert reference_edit[0] in text
            text = text.replace(*reference_edit, 1)
        (tmp_path / name).write_text(text)
    return tmp_path / "default.yaml"


def test_the_price_band_in_force_on_the_booking_day_applies(tmp_path: Path) -> None:
    rows = [tx(at(days=i), f"5:P{i}", "6:C", 2500) for i in range(6)]
    rows.append(tx(at(days=7), "6:C", "7:MSB", 14_000))
    shipped = load_rules(known=set(DETECTORS)).rules["OIC_CROSSING_FEE"]
    assert len(crossing_fee(frame(tmp_path, rows, {"7": "UK Money Transfer #1"}), shipped)) == 1
    # From 1 Sept 2022 the reported price rose to 3,000-9,000: a 2,500 credit is out of band.
    dated = (
        "    effective_to: null\n    bands: {GBP: [1000, 7000], EUR: [1000, 8000]}",
        "    effective_to: 2022-09-01\n    bands: {GBP: [1000, 7000], EUR: [1000, 8000]}\n"
        "    basis: old\n  - effective_from: 2022-09-01\n    effective_to: null\n"
        "    bands: {GBP: [3000, 9000]}",
    )
    (tmp_path / "r").mkdir()
    rules = load_rules(_rules_dir(tmp_path / "r", dated))
    assert (
        crossing_fee(
            frame(tmp_path, rows, {"7": "UK Money Transfer #1"}), rules.rules["OIC_CROSSING_FEE"]
        )
        == []
    )


def test_corridor_lists_are_dated() -> None:
    ref = load_rules().rules["OIC_CROSSING_FEE"].data["reference"]
    assert "AE" in corridor_countries(ref, ("hawala_hub",), date(2024, 1, 1))
    assert corridor_countries(ref, ("hawala_hub",), date(2017, 12, 31)) == set()


def test_country_comes_from_iban_or_bic_never_from_local_ids() -> None:
    df = pl.DataFrame(
        {
            "b": ["HSBCGB2L", "0123", "BNPAFRPPXXX", "x"],
            "a": ["1234", "GB29 NWBK 6016 1331 9268 19", "99", "8000EBD30"],
        }
    )
    got = df.select(country_of("b", "a").alias("c"))["c"].to_list()
    assert got == ["GB", "GB", "FR", None]


def test_the_detection_frame_leaves_out_provenance_and_the_label(tmp_path: Path) -> None:
    df = frame(tmp_path, [tx(at(), "1:A", "2:B", 100)])
    assert df["txn_id"].to_list() == ["t0001"]
    assert not set(df.columns) & {*PROVENANCE, "label"}
    assert {"payer", "payee", "amount_gbp", "internal", "payer_country"} <= set(df.columns)


def test_institution_names_are_tested_against_the_rule_sets_own_patterns(tmp_path: Path) -> None:
    """The frame flags each side's institution by name once, with the patterns of the rule set
    that runs (its reference data), not always the shipped ones; no name is no flag."""
    rows = [tx(at(), "7:A", "8:B", 100), tx(at(hours=1), "8:B", "9:C", 90)]
    banks = {"7": "Acme Remit Ltd", "8": "Harbour Coin Desk"}
    shipped = frame(tmp_path, rows, banks)
    assert shipped["payer_msb_name"].to_list() == [True, False]  # 'remit'
    assert shipped["payee_crypto_name"].to_list() == [False, False]
    rules = load_rules(
        _rules_dir(
            tmp_path,
            ("crypto_name_patterns: ['crypto'", "crypto_name_patterns: ['coin\\s*desk', 'crypto'"),
        ),
        known=set(DETECTORS),
    )
    institutions = next(iter(rules.rules.values())).data["reference"]["institutions"]
    own = detection_frame(
        sorted(tmp_path.glob("lake-*[0-9].parquet")),
        sorted(tmp_path.glob("lake-*-accounts.parquet")),
        institutions,
    )
    assert own["payee_crypto_name"].to_list() == [True, False]
    assert own["payer_crypto_name"].to_list() == [False, True]
    none = frame(tmp_path, rows)  # no accounts reference: no institution names
    assert not none.select(pl.any_horizontal(pl.col("^.*_(msb|crypto)_name$")).any()).item()


def test_each_side_gets_the_country_of_its_own_iban_or_bic(tmp_path: Path) -> None:
    """Countries are worked out once per account and reach every payment of the account."""
    rows = [
        tx(at(), "NWBKGB2L:8000A", "1:FR7630006000011234567890189", 100),
        tx(at(hours=1), "2:B", "NWBKGB2L:8000A", 90),
        tx(at(hours=2), "1:FR7630006000011234567890189", "2:B", 80),
    ]
    df = frame(tmp_path, rows)
    assert df["payer_country"].to_list() == ["GB", None, "FR"]
    assert df["payee_country"].to_list() == ["FR", "GB", None]
    assert not set(df.columns) & {"payer_bank", "payer_account", "payee_bank", "payee_account"}


def test_ids_holding_the_key_separator_keep_each_rows_own_country(tmp_path: Path) -> None:
    """Bank 'NWBKGB2L' with account 'X:1' and bank 'NWBKGB2L:X' with account '1' share the key
    'NWBKGB2L:X:1': the country is still read from each row's own ids (a BIC in the first)."""
    first = tx(at(), "NWBKGB2L:X:1", "2:B", 100)
    second = tx(at(hours=1), "NWBKGB2L:X:1", "2:B", 90)
    second["payer_bank"], second["payer_account"] = "NWBKGB2L:X", "1"
    assert (first["payer_bank"], first["payer_account"]) == ("NWBKGB2L", "X:1")
    df = frame(tmp_path, [first, second])
    assert df["payer"].cast(pl.String).to_list() == ["NWBKGB2L:X:1", "NWBKGB2L:X:1"]
    assert df["payer_country"].to_list() == ["GB", None]
