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
    for name in ("reference.yaml", "narrative_lexicon.yaml"):
        (tmp_path / name).write_bytes((DEFAULT_RULES_PATH.parent / name).read_bytes())
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


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("list: transit", "list: elsewhere"), r"corridors\[1\]: 'list' must be one of"),
        (("[TR, BG,", "[Turkey, BG,"), r"corridors\[1\]: countries must be ISO 3166"),
        (
            ("effective_to: null\n    bands", "effective_to: 2017-01-01\n    bands"),
            "effective_to must be empty or a date after",
        ),
        (("{GBP: [1000, 7000]", "{GBP: [7000, 1000]"), "band GBP must be"),
        (("'hawala'", "'hawala('"), "bad pattern"),
    ],
)
def test_invalid_reference_data_gives_a_specific_error(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    _write(tmp_path, DEFAULT_RULES_PATH.read_text())
    ref = tmp_path / "reference.yaml"
    old, new = edit
    text = ref.read_text()
    assert old in text
    ref.write_text(text.replace(old, new, 1))
    with pytest.raises(ConfigError, match=message):
        load_rules(tmp_path / "rules.yaml", known=set(DETECTORS))


def test_overlapping_price_bands_are_refused(tmp_path: Path) -> None:
    _write(tmp_path, DEFAULT_RULES_PATH.read_text())
    ref = tmp_path / "reference.yaml"
    extra = (
        "\n  - effective_from: 2024-01-01\n    effective_to: null\n"
        "    bands: {GBP: [1500, 8000]}\n    basis: test\n"
    )
    text = ref.read_text().replace("institutions:", extra.lstrip("\n") + "institutions:")
    ref.write_text(text)
    with pytest.raises(ConfigError, match="crossing_price_bands overlap"):
        load_rules(tmp_path / "rules.yaml", known=set(DETECTORS))


def test_a_reference_data_change_changes_the_hash(tmp_path: Path) -> None:
    path = _write(tmp_path, DEFAULT_RULES_PATH.read_text())
    before = load_rules(path).sha256
    ref = tmp_path / "reference.yaml"
    ref.write_text(ref.read_text().replace("[AE, TR,", "[AE, QA, TR,"))
    assert load_rules(path).sha256 != before


DOCUMENTED = (
    "FAN_IN", "FAN_OUT", "CYCLE", "SCATTER_GATHER", "GATHER_SCATTER", "STACK", "BIPARTITE",
    "OIC_CROSSING_FEE", "OIC_STRUCTURING", "OIC_PASS_THROUGH", "OIC_MSB_NEXUS",
    "OIC_ROUND_CROSS_BORDER", "OIC_ESCROW", "OIC_HAWALA_PROFILE", "OIC_CASH_TO_CORRIDOR",
    "OIC_FUNNEL", "OIC_NARRATIVE", "OIC_CRYPTO_RAMP", "HT_WAGE_SWEEP", "HT_DEBT_BONDAGE",
    "HT_POOLED_REMITTANCE",
)  # fmt: skip


def test_every_detection_rule_is_documented_for_investigators_with_its_version() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
    rules = load_rules(known=set(DETECTORS)).rules
    for rid in DOCUMENTED:
        rule = rules[rid]
        assert f"### {rid} (v{rule.version}, weight {rule.weight:g})" in doc, rid
        for benign in rule.benign_explanations:
            assert f"- {benign}" in doc, (rid, benign)
