"""The rules file: validated on load with errors that name the rule and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from finflow.detect.registry import DETECTORS
from finflow.detect.rules import DEFAULT_RULES_PATH, load_rules
from finflow.errors import ConfigError


def test_shipped_rules_cover_every_detector_and_hash_the_file() -> None:
    rules = load_rules(known=set(DETECTORS))
    assert set(rules.rules) == set(DETECTORS)
    assert len(rules.sha256) == 64
    assert all(r.description and r.benign_explanations for r in rules.rules.values())


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("weight: 15", "weight: -1"), "rule FAN_OUT: weight must be a number >= 0"),
        (("version: 2", "version: one"), "version must be a positive integer"),
        (("FAN_IN:", "FAN_SIDEWAYS:"), "rule FAN_SIDEWAYS: unknown rule id"),
        (("scoring:", "scoring_off:"), "'scoring' needs"),
    ],
)
def test_invalid_rules_give_a_specific_error(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    text = DEFAULT_RULES_PATH.read_text().replace(*edit, 1)
    with pytest.raises(ConfigError, match=message):
        load_rules(_write(tmp_path, text), known=set(DETECTORS))


def test_not_yaml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_rules(_write(tmp_path, "rules: [unclosed"), known=set(DETECTORS))
    with pytest.raises(ConfigError, match="cannot be read"):
        load_rules(tmp_path / "absent.yaml")


def test_changing_a_threshold_changes_the_hash(tmp_path: Path) -> None:
    text = DEFAULT_RULES_PATH.read_text().replace(
        "min_counterparties: 5", "min_counterparties: 6", 1
    )
    assert load_rules(_write(tmp_path, text)).sha256 != load_rules().sha256
