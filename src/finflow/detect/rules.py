"""The rule set: a versioned YAML file, validated on load, hashed into every output."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from finflow.detect.refdata import load_data_files
from finflow.errors import ConfigError
from finflow.resources import package_file

DEFAULT_RULES_PATH = package_file("rules", "default.yaml")
SCORING_KEYS = ("repeat_decay", "corroboration_bonus", "bands", "max_case_accounts")
REQUIRED = ("version", "description", "weight", "params", "benign_explanations")


@dataclass(frozen=True)
class Rule:
    """One indicator: identity, the text investigators read, its parameters and weight."""

    id: str
    version: int
    family: str
    description: str
    weight: float
    params: dict[str, Any]
    benign_explanations: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """The rule set's reference data (``reference``, ``lexicon``), shared by every rule."""

    def brief(self) -> dict[str, Any]:
        return {"rule_id": self.id, "rule_version": self.version, "description": self.description}


class RuleNotRun(Exception):
    """A rule could not be evaluated on this data (e.g. no location data in the feed).

    The runner records it as "not run" with the reason; it is not an alert and not a failure.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class RuleSet:
    version: str
    sha256: str
    path: str
    rules: dict[str, Rule]
    scoring: dict[str, Any] = field(default_factory=dict)


def load_rules(path: Path | None = None, known: set[str] | None = None) -> RuleSet:
    """Read and validate a rules file; every problem is a ConfigError naming the rule and key."""
    source = path or DEFAULT_RULES_PATH
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise ConfigError(f"rules file {source}: cannot be read ({exc.strerror})") from exc
    try:
        doc = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"rules file {source}: not valid YAML ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), dict) or not doc["rules"]:
        raise ConfigError(f"rules file {source}: needs a top-level 'version' and 'rules' mapping")
    if not isinstance(doc.get("version"), str):
        raise ConfigError(f"rules file {source}: 'version' must be a quoted string")
    rules = {rid: _rule(source, rid, spec, known) for rid, spec in sorted(doc["rules"].items())}
    scoring = doc.get("scoring", {})
    missing = [k for k in SCORING_KEYS if k not in scoring]
    if not isinstance(scoring, dict) or missing:
        raise ConfigError(f"rules file {source}: 'scoring' needs {', '.join(SCORING_KEYS)}")
    data, data_raw = load_data_files(source, doc.get("data_files"))
    rules = {rid: replace(rule, data=data) for rid, rule in rules.items()}
    return RuleSet(
        version=doc["version"],
        sha256=hashlib.sha256(b"".join([raw, *data_raw])).hexdigest(),
        path=str(source),
        rules=rules,
        scoring=scoring,
    )


def _rule(source: Path, rid: str, spec: Any, known: set[str] | None) -> Rule:
    where = f"rules file {source}: rule {rid}"
    if known is not None and rid not in known:
        raise ConfigError(f"{where}: unknown rule id (known: {', '.join(sorted(known))})")
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: must be a mapping")
    missing = [k for k in REQUIRED if k not in spec]
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(missing)}")
    if not isinstance(spec["version"], int) or spec["version"] < 1:
        raise ConfigError(f"{where}: version must be a positive integer")
    if not isinstance(spec["weight"], int | float) or spec["weight"] < 0:
        raise ConfigError(f"{where}: weight must be a number >= 0")
    if not isinstance(spec["params"], dict):
        raise ConfigError(f"{where}: params must be a mapping")
    if not str(spec["description"]).strip():
        raise ConfigError(f"{where}: description must not be empty")
    benign = spec["benign_explanations"]
    if not isinstance(benign, list) or not all(isinstance(b, str) for b in benign):
        raise ConfigError(f"{where}: benign_explanations must be a list of text")
    return Rule(
        id=rid,
        version=spec["version"],
        family=str(spec.get("family", "")),
        description=" ".join(str(spec["description"]).split()),
        weight=float(spec["weight"]),
        params=spec["params"],
        benign_explanations=benign,
    )


def param(rule: Rule, name: str) -> Any:
    """A required parameter; its absence is a configuration error naming the rule."""
    if name not in rule.params:
        raise ConfigError(f"rule {rule.id}: parameter {name!r} is missing")
    return rule.params[name]
