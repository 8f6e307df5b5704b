"""Smuggling (organised immigration crime) indicators from DOMAIN.md §2."""

from __future__ import annotations

from typing import Any

import polars as pl

from finflow.detect.alert import make_alert
from finflow.detect.graph import external_edges
from finflow.detect.institutions import is_cross_border, is_crypto, is_msb
from finflow.detect.passthrough import pass_through as pass_through
from finflow.detect.refdata import price_bands
from finflow.detect.rules import Rule, param
from finflow.money import money_sum


def _best_windows(frame: pl.LazyFrame, key: str, score: list[str]) -> pl.LazyFrame:
    """Keep one window per account: the highest `score` columns, then the earliest."""
    return frame.sort(
        [key, *score, "booked_at"], descending=[False, *[True] * len(score), False]
    ).unique(key, keep="first")


def band_expr(rule: Rule) -> pl.Expr:
    """True for a credit inside the crossing-price band in force on its booking day.

    Bands are dated reference data (``reference.yaml``): a credit in a currency with its own
    band is judged in that currency, any other by its pound value against the GBP band.
    """
    day = pl.col("booked_at").dt.date()
    out = pl.lit(False)
    for start, end, bands in price_bands(rule.data["reference"]):
        period = (day >= start) & (day < end) if end is not None else day >= start
        own = pl.col("currency_received").is_in(list(bands))
        for ccy, (lo, hi) in bands.items():
            hit = (pl.col("currency_received") == ccy) & pl.col("amount_received").is_between(
                lo, hi
            )
            out = out | (period & hit)
        if "GBP" in bands:
            lo, hi = bands["GBP"]
            out = out | (period & ~own & pl.col("amount_gbp").is_between(lo, hi))
    return out


def crossing_fee(tx: pl.DataFrame, rule: Rule) -> list[dict[str, Any]]:
    """OIC_CROSSING_FEE: many payers, credits inside the crossing-price band, money sent on."""
    days = int(param(rule, "window_days"))
    onward_days = int(param(rule, "onward_days"))
    onward_from = "last" if param(rule, "onward_after_collection") else "first"
    edges = external_edges(tx).select(
        "txn_id",
        "booked_at",
        "payer",
        "payee",
        "amount_gbp",
        "amount_received",
        "currency_received",
        away=is_cross_border() | is_msb(rule, "payee") | is_crypto(rule, "payee"),
    )
    in_band = band_expr(rule)
    # A payer who pays the account again and again (rent, club dues, a supplier's customer) is
    # a relationship, not a one-off fee: only one-off payers' in-band credits count as fees.
    pair_payments = pl.len().over("payer", "payee")
    one_off = pair_payments <= int(param(rule, "max_payments_per_payer"))
    credits = edges.with_columns(in_band=in_band & one_off)
    # Only payees with enough in-band payers in the whole data can have a qualifying window.
    candidates = (
        credits.filter(pl.col("in_band"))
        .group_by("payee")
        .agg(n=pl.col("payer").n_unique())
        .filter(pl.col("n") >= int(param(rule, "min_payers")))
        .select("payee")
    )
    credits = credits.join(candidates, on="payee", how="semi").sort("booked_at")
    windows = (
        credits.group_by_dynamic("booked_at", every="1d", period=f"{days}d", group_by="payee")
        .agg(
            n_credits=pl.len(),
            n_in_band=pl.col("in_band").sum(),
            band_payers=pl.col("payer").filter(pl.col("in_band")).n_unique(),
        )
        .filter(
            pl.col("band_payers") >= int(param(rule, "min_payers")),
            pl.col("n_in_band") >= pl.col("n_credits") * float(param(rule, "min_in_band_share")),
        )
    )
    best = _best_windows(windows, "payee", ["band_payers"]).select(
        account="payee", win_start="booked_at", n_credits="n_credits", n_in_band="n_in_band"
    )
    window = [
        pl.col("booked_at") >= pl.col("win_start"),
        pl.col("booked_at") < pl.col("win_start") + pl.duration(days=days),
    ]
    band_credits = (
        credits.filter(pl.col("in_band"))
        .join(best, left_on="payee", right_on="account")
        .filter(*window)
        .group_by("payee")
        .agg(
            pl.col("txn_id"),
            pl.col("payer").unique().sort().alias("payers"),
            pl.col("booked_at").alias("in_at"),
            pl.col("amount_gbp").alias("in_amt"),
            in_value=money_sum(pl.col("amount_gbp")),
            first=pl.col("booked_at").min(),
            last=pl.col("booked_at").max(),
            n_credits=pl.col("n_credits").first(),
            n_in_band=pl.col("n_in_band").first(),
        )
        .collect()
    )
    if band_credits.is_empty():
        return []
    payers = band_credits.lazy().select("payee", "payers").explode("payers")
    onward = (
        edges.join(
            band_credits.lazy().select("payee", "first", "last"), left_on="payer", right_on="payee"
        )
        .filter(
            pl.col("booked_at") >= pl.col(onward_from),
            pl.col("booked_at") <= pl.col("last") + pl.duration(days=onward_days),
            # Fees are sent on in bulk; a busy account's everyday spending is not onward transfer.
            pl.col("amount_gbp") >= float(param(rule, "min_onward_payment_gbp")),
            # To the organisers: abroad, or through a money-service business or exchange (a
            # landlord's mortgage or a trader's supplier at home is not), unless configured "any".
            pl.col("away") | pl.lit(str(param(rule, "onward_to")) == "any"),
        )
        # Paying the pot back to one of the payers is a savings club, not onward transfer.
        .join(payers, left_on=["payer", "payee"], right_on=["payee", "payers"], how="anti")
        .group_by("payer")
        .agg(
            pl.col("txn_id").alias("out_txn"),
            pl.col("payee").unique().sort().alias("destinations"),
            pl.col("booked_at").alias("out_at"),
            pl.col("amount_gbp").alias("out_amt"),
            out_value=money_sum(pl.col("amount_gbp")),
        )
        .collect()
    )
    covered_only = bool(param(rule, "onward_within_collected"))
    joined = band_credits.join(onward, left_on="payee", right_on="payer", how="left").sort("payee")
    min_onward = float(param(rule, "min_onward_share"))
    max_onward = float(param(rule, "max_onward_ratio"))
    alerts = []
    for row in joined.iter_rows(named=True):
        out_value = row["out_value"] or 0.0
        ratio = out_value / row["in_value"] if row["in_value"] else 0.0
        # Far more sent on than collected is the account's own business, not the fees.
        if ratio < min_onward or ratio > max_onward:
            continue
        if covered_only:
            # Fees can only be sent on once received: an onward payment counts up to what had
            # come in (in band) before it and was not yet sent on. Paying out before the fees
            # arrive is the account's own money.
            covered = _covered(
                row["in_at"], row["in_amt"], row["out_at"] or [], row["out_amt"] or []
            )
            if covered < min_onward * row["in_value"]:
                continue
        share = min(1.0, ratio)
        destinations = row["destinations"] or []
        alerts.append(
            make_alert(
                rule,
                row["payee"],
                [*row["payers"], *destinations],
                [*row["txn_id"], *(row["out_txn"] or [])],
                row["first"],
                row["last"],
                {
                    "payers_in_band": len(row["payers"]),
                    "credits": row["n_credits"],
                    "credits_in_band": row["n_in_band"],
                    "in_band_share": row["n_in_band"] / row["n_credits"],
                    "collected_gbp": row["in_value"],
                    "sent_on_gbp": out_value,
                    "onward_share": share,
                    "window_days": days,
                },
            )
        )
    return alerts


def _covered(
    in_at: list[Any], in_amt: list[float], out_at: list[Any], out_amt: list[float]
) -> float:
    """Pounds sent on that the credits received before each payment could fund."""
    events = sorted(
        [(t, 0, a) for t, a in zip(in_at, in_amt, strict=True)]
        + [(t, 1, a) for t, a in zip(out_at, out_amt, strict=True)]
    )
    held = covered = 0.0
    for _, is_out, amount in events:
        if is_out:
            paid = min(amount, held)
            held -= paid
            covered += paid
        else:
            held += amount
    return covered


def structuring(tx: pl.DataFrame, rule: Rule, fx: pl.DataFrame) -> list[dict[str, Any]]:
    """OIC_STRUCTURING: >= n payments in a window, each in [f*T, T), together >= T."""
    days = int(param(rule, "window_days"))
    need = int(param(rule, "min_transactions"))
    lower = float(param(rule, "lower_fraction"))
    min_share = float(param(rule, "min_share_of_payments"))
    linked = int(param(rule, "min_payments_to_one_payee"))
    alerts = []
    for threshold in param(rule, "thresholds"):
        ccy, limit = str(threshold["currency"]), float(threshold["amount"])
        rate = fx.filter(pl.col("currency") == ccy).sort("date")["rate_to_gbp"]
        if rate.is_empty():
            continue
        in_ccy = (
            pl.when(pl.col("currency_paid") == ccy)
            .then(pl.col("amount_paid"))
            .otherwise(pl.col("amount_gbp") / float(rate[-1]))
        )
        edges = external_edges(tx).with_columns(amount_t=in_ccy)
        if threshold.get("channels"):
            edges = edges.filter(pl.col("channel").is_in(list(threshold["channels"])))
        near = edges.filter(pl.col("amount_t") >= lower * limit, pl.col("amount_t") < limit).sort(
            "booked_at"
        )
        windows = (
            near.group_by_dynamic("booked_at", every="1d", period=f"{days}d", group_by="payer")
            .agg(n=pl.len(), total=money_sum(pl.col("amount_t")))
            .filter(pl.col("n") >= need, pl.col("total") >= limit)
        )
        best = _best_windows(windows, "payer", ["n"]).select("payer", win_start="booked_at")
        hits = (
            near.join(best, on="payer")
            .filter(
                pl.col("booked_at") >= pl.col("win_start"),
                pl.col("booked_at") < pl.col("win_start") + pl.duration(days=days),
            )
            .group_by("payer")
            .agg(
                pl.col("txn_id"),
                pl.col("payee").unique().sort().alias("payees"),
                first=pl.col("booked_at").min(),
                last=pl.col("booked_at").max(),
                total=money_sum(pl.col("amount_t")),
                n=pl.len(),
                # Linked payments: the split goes to one beneficiary, so some payee receives
                # several of them. As many payees as payments is unrelated payments of a size.
                most_to_one=pl.col("payee").value_counts().struct.field("count").max(),
            )
            .filter(pl.col("most_to_one") >= linked)
        )
        # The payer's other payments over the same span: a payroll or supplier run that happens
        # to include a few amounts under the threshold pays many other amounts alongside them.
        alongside = (
            external_edges(tx)
            .select("payer", "booked_at")
            .join(hits.select("payer", "first", "last"), on="payer")
            .filter(pl.col("booked_at").is_between(pl.col("first"), pl.col("last")))
            .group_by("payer")
            .agg(all_payments=pl.len())
        )
        found = (
            hits.join(alongside, on="payer")
            .with_columns(share=pl.col("n") / pl.col("all_payments"))
            .filter(pl.col("share") >= min_share)
            .sort("payer")
            .collect()
        )
        for row in found.iter_rows(named=True):
            alerts.append(
                make_alert(
                    rule,
                    row["payer"],
                    row["payees"],
                    row["txn_id"],
                    row["first"],
                    row["last"],
                    {
                        "threshold": threshold["name"],
                        "threshold_amount": limit,
                        "threshold_currency": ccy,
                        "payments_just_below": row["n"],
                        "most_to_one_payee": row["most_to_one"],
                        "payments_in_span": row["all_payments"],
                        "share_just_below": row["share"],
                        "total_in_threshold_currency": row["total"],
                        "window_days": days,
                    },
                )
            )
    return alerts
