"""Rules evaluated two at a time give the alerts and statistics of one at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from finflow import pipeline
from finflow.detect import runner
from finflow.synth.generator import generate


def test_two_rules_at_once_give_the_same_alerts_as_one_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate(tmp_path / "in", rows=20_000, seed=11)
    out = tmp_path / "out"
    pipeline.stage_ingest(tmp_path / "in", out)
    state = pipeline.load_state(out)
    args = (
        pipeline.run_files(out, state, "transactions"),
        pipeline.run_files(out, state, "accounts"),
        pipeline._rules(state),
        pipeline.load_fx(None),
    )
    monkeypatch.setattr(runner.os, "cpu_count", lambda: 2)
    assert runner.rule_threads(20_000) == 2
    together, stats_together = runner.run_rules(*args)
    monkeypatch.setattr(runner, "CONCURRENT_UP_TO", 10_000)
    assert runner.rule_threads(20_000) == 1
    alone, stats_alone = runner.run_rules(*args)
    assert together == alone
    assert len(together) > 50
    assert list(stats_together) == list(stats_alone)
    for rule_id, stat in stats_alone.items():
        assert {k: v for k, v in stat.items() if k != "seconds"} == {
            k: v for k, v in stats_together[rule_id].items() if k != "seconds"
        }
