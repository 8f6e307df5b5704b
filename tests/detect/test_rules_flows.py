"""SCATTER_GATHER and GATHER_SCATTER: fire on the pattern, silent on look-alikes and past bounds."""

from __future__ import annotations

from pathlib import Path

from txbuild import at, frame, tx

from finflow.detect.flows import gather_scatter, scatter_gather
from finflow.detect.registry import DETECTORS
from finflow.detect.rules import load_rules

RULES = load_rules(known=set(DETECTORS)).rules


def split_and_rejoin(n_mid: int, forward: float = 900, after_hours: float = 20) -> list[dict]:  # type: ignore[type-arg]
    rows = [tx(at(hours=i), "1:SRC", f"2:M{i}", 1000) for i in range(n_mid)]
    rows += [tx(at(hours=i + after_hours), f"2:M{i}", "3:SINK", forward) for i in range(n_mid)]
    return rows


def test_scatter_gather_fires_and_lists_both_legs(tmp_path: Path) -> None:
    alerts = scatter_gather(frame(tmp_path, split_and_rejoin(3)), RULES["SCATTER_GATHER"])
    assert [a["primary"] for a in alerts] == ["1:SRC"]
    assert alerts[0]["metrics"]["intermediaries"] == 3
    assert alerts[0]["metrics"]["sink"] == "3:SINK"
    assert len(alerts[0]["evidence_txn_ids"]) == 6


def test_scatter_gather_needs_three_intermediaries(tmp_path: Path) -> None:
    assert scatter_gather(frame(tmp_path, split_and_rejoin(2)), RULES["SCATTER_GATHER"]) == []


def test_scatter_gather_is_silent_when_children_each_pay_a_share_to_one_school(
    tmp_path: Path,
) -> None:
    rows = split_and_rejoin(4, forward=300)
    assert scatter_gather(frame(tmp_path, rows), RULES["SCATTER_GATHER"]) == []


def test_scatter_gather_forward_ratio_and_delay_boundaries(tmp_path: Path) -> None:
    rule = RULES["SCATTER_GATHER"]
    assert len(scatter_gather(frame(tmp_path, split_and_rejoin(3, forward=700)), rule)) == 1
    assert scatter_gather(frame(tmp_path, split_and_rejoin(3, forward=690)), rule) == []
    # each intermediary pays exactly 96 h after it was paid: inside; 97 h: outside
    assert len(scatter_gather(frame(tmp_path, split_and_rejoin(3, after_hours=96)), rule)) == 1
    assert scatter_gather(frame(tmp_path, split_and_rejoin(3, after_hours=97)), rule) == []


def gather_then_split(payout: float, n_dest: int = 4, to: str = "5:D") -> list[dict]:  # type: ignore[type-arg]
    amounts = [1000, 1200, 1400, 1600]  # 5,200 gathered
    rows = [tx(at(hours=6 * i), f"4:S{i}", "9:HUB", a) for i, a in enumerate(amounts)]
    rows += [tx(at(days=2, hours=i), "9:HUB", f"{to}{i}", payout / n_dest) for i in range(n_dest)]
    return rows


def test_gather_scatter_fires_on_gathered_money_re_split(tmp_path: Path) -> None:
    alerts = gather_scatter(frame(tmp_path, gather_then_split(4400)), RULES["GATHER_SCATTER"])
    assert [a["primary"] for a in alerts] == ["9:HUB"]
    assert alerts[0]["metrics"]["sources"] == 4
    assert alerts[0]["metrics"]["destinations"] == 4
    assert len(alerts[0]["evidence_txn_ids"]) == 8


def test_gather_scatter_counts_only_one_off_sources(tmp_path: Path) -> None:
    rule = RULES["GATHER_SCATTER"]
    rows = [*gather_then_split(4400), tx(at(days=-10), "4:S0", "9:HUB", 1000)]  # S0 recurs
    assert gather_scatter(frame(tmp_path, rows), rule) == []
    alerts = gather_scatter(frame(tmp_path, [*rows, tx(at(hours=20), "4:S4", "9:HUB", 1000)]), rule)
    assert alerts[0]["metrics"]["sources"] == 4
    assert "4:S0" not in alerts[0]["accounts"]


def test_gather_scatter_is_silent_for_a_club_pot_paid_to_one_member(tmp_path: Path) -> None:
    rows = gather_then_split(5000, n_dest=1)
    assert gather_scatter(frame(tmp_path, rows), RULES["GATHER_SCATTER"]) == []
    # paying the money back to the people who paid in is not re-splitting it
    back = gather_then_split(4400, to="4:S")
    assert gather_scatter(frame(tmp_path, back), RULES["GATHER_SCATTER"]) == []


def test_gather_scatter_out_share_boundaries(tmp_path: Path) -> None:
    rule = RULES["GATHER_SCATTER"]
    assert len(gather_scatter(frame(tmp_path, gather_then_split(3640)), rule)) == 1  # 0.70
    assert gather_scatter(frame(tmp_path, gather_then_split(3600)), rule) == []  # 0.69
    assert len(gather_scatter(frame(tmp_path, gather_then_split(5460)), rule)) == 1  # 1.05
    assert gather_scatter(frame(tmp_path, gather_then_split(5600)), rule) == []  # spends own money


def test_gather_scatter_is_silent_when_paying_out_while_still_collecting(tmp_path: Path) -> None:
    # An organiser paying suppliers as the shares come in: the payments out interleave with
    # the credits instead of following the gathering.
    rows = gather_then_split(4400)
    rows[-1]["booked_at"] = at(hours=10)  # one supplier paid between the second and third share
    for r in rows[-4:-1]:
        r["booked_at"] = at(hours=20)
    assert gather_scatter(frame(tmp_path, rows), RULES["GATHER_SCATTER"]) == []
    # the same payments all after the last share (at 18 h) are a re-split
    for r in rows[-4:]:
        r["booked_at"] = at(hours=19)
    assert len(gather_scatter(frame(tmp_path, rows), RULES["GATHER_SCATTER"])) == 1


def test_gather_scatter_picks_the_gathering_that_re_splits(tmp_path: Path) -> None:
    # A large one-off credit three days earlier shares a window with the gathering; judged on
    # that window the payout would be 4,400 of 15,200; on the gathering alone it is 4,400 of
    # 5,200.
    rows = [tx(at(days=-3), "6:BIG", "9:HUB", 10_000), *gather_then_split(4400)]
    alerts = gather_scatter(frame(tmp_path, rows), RULES["GATHER_SCATTER"])
    assert len(alerts) == 1
    assert alerts[0]["metrics"]["gathered_gbp"] == 5200


def test_gather_scatter_needs_the_hub_otherwise_quiet_over_those_days(tmp_path: Path) -> None:
    rule = RULES["GATHER_SCATTER"]
    rows = gather_then_split(4400)  # 8 pattern payments
    # 4 other payments of the hub's own in those days: 8 of 12 = 0.67 >= 0.65, fires
    own = [tx(at(hours=5 + 7 * i), "9:HUB", f"7:SHOP{i}", 20) for i in range(4)]
    assert len(gather_scatter(frame(tmp_path, rows + own), rule)) == 1
    # 5: 8 of 13 = 0.62, silent (a busy account that also collected and paid out)
    own.append(tx(at(hours=40), "9:HUB", "7:SHOP9", 20))
    assert gather_scatter(frame(tmp_path, rows + own), rule) == []


def test_gather_scatter_total_boundary(tmp_path: Path) -> None:
    rule = RULES["GATHER_SCATTER"]

    def scaled(total: float) -> list[dict]:  # type: ignore[type-arg]
        rows = gather_then_split(4400)
        for r in rows:
            for k in ("amount_paid", "amount_received", "amount_gbp"):
                r[k] = float(r[k]) * total / 5200  # type: ignore[arg-type]
        return rows

    assert len(gather_scatter(frame(tmp_path, scaled(1500)), rule)) == 1
    assert gather_scatter(frame(tmp_path, scaled(1499)), rule) == []


def test_scatter_gather_total_boundary(tmp_path: Path) -> None:
    rule = RULES["SCATTER_GATHER"]
    # three intermediaries paid 500 each (1,500 in all) pass on 90%: material; 499.99 each: not
    rows = [tx(at(hours=i), "1:SRC", f"2:M{i}", 500) for i in range(3)]
    rows += [tx(at(hours=i + 20), f"2:M{i}", "3:SINK", 450) for i in range(3)]
    assert len(scatter_gather(frame(tmp_path, rows), rule)) == 1
    for r in rows[:3]:
        r["amount_paid"] = r["amount_received"] = r["amount_gbp"] = 499.99
    assert scatter_gather(frame(tmp_path, rows), rule) == []
