"""OIC_NARRATIVE, OIC_FUNNEL and OIC_CRYPTO_RAMP, and the runner's not-run record."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from txbuild import at, frame, tx

from finflow.detect import runner
from finflow.detect.followup import crypto_ramp
from finflow.detect.funnel import funnel
from finflow.detect.narrative import narrative
from finflow.detect.registry import DETECTORS
from finflow.detect.rules import RuleNotRun, load_rules
from finflow.ingest.fx import load_fx

RULES = load_rules(known=set(DETECTORS)).rules


def test_narrative_quotes_the_reference_verbatim_in_any_script(tmp_path: Path) -> None:
    rows = [
        tx(at(days=0), "1:A", "9:AGENT", 2500, reference="Boat UK deposit"),
        tx(at(days=1), "1:B", "9:AGENT", 2500, reference="تهريب  دفعة"),
        tx(at(days=2), "1:C", "9:AGENT", 2500, reference="Thuyền đi Anh"),
    ]
    alerts = narrative(frame(tmp_path, rows), RULES["OIC_NARRATIVE"])
    assert [a["primary"] for a in alerts] == ["9:AGENT"]
    quoted = alerts[0]["metrics"]["references"]
    assert [q["reference"] for q in quoted] == ["Boat UK deposit", "تهريب  دفعة", "Thuyền đi Anh"]
    assert [q["matched"] for q in quoted] == ["boat", "تهريب", "thuyền"]


def test_narrative_does_not_match_inside_longer_words(tmp_path: Path) -> None:
    rows = [
        tx(at(days=0), "1:A", "9:YARD", 300, reference="boatyard mooring fee"),
        tx(at(days=1), "1:B", "9:YARD", 300, reference="Crossings Ltd invoice 22"),
    ]
    assert narrative(frame(tmp_path, rows), RULES["OIC_NARRATIVE"]) == []


def test_narrative_reports_not_run_without_references(tmp_path: Path) -> None:
    rows = [tx(at(days=0), "1:A", "9:AGENT", 2500)]
    try:
        narrative(frame(tmp_path, rows), RULES["OIC_NARRATIVE"])
    except RuleNotRun as why:
        assert "no payment references" in why.reason
    else:
        raise AssertionError("a feed without references must not be searched as if empty")


def with_branches(df: pl.DataFrame, places: list[str | None]) -> pl.DataFrame:
    return df.with_columns(branch=pl.Series(places, dtype=pl.String))


def funnel_rows(out: float, out_hours: float = 24) -> list[dict[str, object]]:
    rows = [tx(at(days=i), f"2:P{i}", "1:F", 1000, channel="cash") for i in range(3)]
    rows.append(tx(at(days=2, hours=out_hours), "1:F", "3:ELSEWHERE", out))
    return rows


def test_funnel_fires_on_cash_at_three_places_taken_out(tmp_path: Path) -> None:
    df = with_branches(frame(tmp_path, funnel_rows(2400)), ["Dover", "Leeds", "Hull", None])
    alerts = funnel(df, RULES["OIC_FUNNEL"])
    assert [a["primary"] for a in alerts] == ["1:F"]
    assert alerts[0]["metrics"]["deposit_places"] == ["Dover", "Hull", "Leeds"]


def test_funnel_bounds_and_look_alike(tmp_path: Path) -> None:
    rule = RULES["OIC_FUNNEL"]
    two_places = with_branches(frame(tmp_path, funnel_rows(2400)), ["Dover", "Dover", "Hull", None])
    assert funnel(two_places, rule) == []
    kept = with_branches(frame(tmp_path, funnel_rows(2390)), ["Dover", "Leeds", "Hull", None])
    assert funnel(kept, rule) == []  # 79.7% taken out: below 80%
    late = with_branches(frame(tmp_path, funnel_rows(2400, 49)), ["Dover", "Leeds", "Hull", None])
    assert funnel(late, rule) == []


def test_funnel_reports_not_run_without_locations(tmp_path: Path) -> None:
    rows = funnel_rows(2400)
    lake = tmp_path / "x"
    lake.mkdir()
    frame(lake, rows)
    _, stats = runner.run_rules(sorted(lake.glob("lake-*.parquet")), [], load_rules(), load_fx())
    assert stats["OIC_FUNNEL"]["status"] == "not_run"
    assert "no cash-deposit location" in stats["OIC_FUNNEL"]["reason"]
    assert stats["OIC_STRUCTURING"]["status"] == "ran"


BANKS = {"7": "UK Money Transfer #1", "8": "Crypto Exchange #2"}


def collector_then_exchange(hours_after: float) -> list[dict[str, object]]:
    rows = [tx(at(days=i), f"5:P{i}", "6:COL", 2500 + 100 * i) for i in range(6)]
    rows.append(tx(at(days=6), "6:COL", "7:MSB", 14_000))
    # the fee alert's window ends at the last fee (day 5)
    rows.append(tx(at(days=5, hours=hours_after), "6:COL", "8:WALLET", 900, received_in="USD"))
    return rows


def test_crypto_ramp_follows_an_oic_alert_within_72_hours(tmp_path: Path) -> None:
    df = frame(tmp_path, collector_then_exchange(72), BANKS)
    fee = DETECTORS["OIC_CROSSING_FEE"](df, RULES["OIC_CROSSING_FEE"], load_fx())
    assert len(fee) == 1
    alerts = crypto_ramp(df, RULES["OIC_CRYPTO_RAMP"], fee)
    assert [a["primary"] for a in alerts] == ["6:COL"]
    assert alerts[0]["metrics"]["near_alerts"] == [fee[0]["alert_id"]]
    late = frame(tmp_path, collector_then_exchange(73), BANKS)
    assert crypto_ramp(late, RULES["OIC_CRYPTO_RAMP"], fee) == []


def test_crypto_ramp_never_fires_without_another_oic_alert(tmp_path: Path) -> None:
    df = frame(tmp_path, collector_then_exchange(10), BANKS)
    assert crypto_ramp(df, RULES["OIC_CRYPTO_RAMP"], []) == []


def test_crypto_ramp_knows_an_exchange_by_any_of_its_payments(tmp_path: Path) -> None:
    # The collector pays a money transmitter (bank 7) in pounds; the transmitter is a crypto
    # exchange because elsewhere it is paid in bitcoin.
    rows = collector_then_exchange(10)[:-1]
    rows.append(tx(at(days=5, hours=10), "6:COL", "7:OTC", 900))
    df = frame(tmp_path, rows, BANKS)
    fee = DETECTORS["OIC_CROSSING_FEE"](df, RULES["OIC_CROSSING_FEE"], load_fx())
    assert crypto_ramp(df, RULES["OIC_CRYPTO_RAMP"], fee) == []
    rows.append(tx(at(days=1), "9:X", "7:OTC", 1000, received_in="BTC"))
    df = frame(tmp_path, rows, BANKS)
    alerts = crypto_ramp(df, RULES["OIC_CRYPTO_RAMP"], fee)
    assert [(a["primary"], a["accounts"]) for a in alerts] == [("6:COL", ["6:COL", "7:OTC"])]
