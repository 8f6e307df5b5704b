"""The views defined in sql/ exist after migration and summarise saved results."""

from __future__ import annotations

from sqlalchemy import Engine, text
from store_samples import make_results, make_run

from finflow.store import save_results, save_run


def test_the_case_listing_view_returns_the_saved_cases(engine: Engine) -> None:
    save_run(engine, make_run())
    save_results(engine, "run-1", *make_results())
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT case_id, rank, band, n_accounts, n_transactions FROM v_case_listing"
                " WHERE run_id = :run_id ORDER BY rank"
            ),
            {"run_id": "run-1"},
        ).all()
    assert [tuple(r) for r in rows] == [
        ("C-a", 1, "high", 2, 2),
        ("C-b", 2, "medium", 2, 1),
        ("C-c", 3, "low", 2, 0),
    ]


def test_the_alert_summary_view_counts_alerts_and_evidence_per_rule(engine: Engine) -> None:
    save_run(engine, make_run())
    save_results(engine, "run-1", *make_results())
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT rule_id, rule_version, n_alerts, n_evidence FROM v_alert_summary"
                " WHERE run_id = :run_id ORDER BY rule_id"
            ),
            {"run_id": "run-1"},
        ).all()
    assert [tuple(r) for r in rows] == [("fan_in", 2, 2, 4), ("structuring", 1, 1, 1)]
