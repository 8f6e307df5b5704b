"""The party rules and the resolution / network settings, read from the rules file.

They live in the same versioned rules file as the transaction rules (so its hash covers them),
under the top-level keys ``party_rules`` and ``parties``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from finflow.detect.rules import REQUIRED, Rule, RuleSet
from finflow.errors import ConfigError

PARTY_RULE_IDS = ("HT_SHARED_IDENTIFIERS", "SANCTIONS_HIT")


@dataclass(frozen=True)
class PartyConfig:
    rules: dict[str, Rule]
    resolution: dict[str, Any]
    network: dict[str, Any]
    roles: dict[str, Any]


def _rule(source: str, rid: str, spec: Any) -> Rule:
    where = f"rules file {source}: party rule {rid}"
    if rid not in PARTY_RULE_IDS:
        raise ConfigError(f"{where}: unknown (known: {', '.join(PARTY_RULE_IDS)})")
    if not isinstance(spec, dict) or [k for k in REQUIRED if k not in spec]:
        raise ConfigError(f"{where}: needs {', '.join(REQUIRED)}")
    if not isinstance(spec["weight"], int | float) or spec["weight"] < 0:
        raise ConfigError(f"{where}: weight must be a number >= 0")
    return Rule(
        id=rid,
        version=int(spec["version"]),
        family=str(spec.get("family", "")),
        description=" ".join(str(spec["description"]).split()),
        weight=float(spec["weight"]),
        params=dict(spec["params"] or {}),
        benign_explanations=list(spec["benign_explanations"]),
    )


def load_party_config(rules: RuleSet) -> PartyConfig:
    """The ``party_rules`` and ``parties`` blocks of the rule set's file."""
    doc = yaml.safe_load(Path(rules.path).read_bytes()) or {}
    raw_rules = doc.get("party_rules") or {}
    parties = doc.get("parties") or {}
    try:
        return PartyConfig(
            rules={rid: _rule(rules.path, rid, s) for rid, s in sorted(raw_rules.items())},
            resolution=dict(parties["resolution"]),
            network=dict(parties["network"]),
            roles=dict(parties["roles"]),
        )
    except (KeyError, TypeError) as exc:
        raise ConfigError(
            f"rules file {rules.path}: 'parties' needs resolution, network and roles ({exc})"
        ) from exc


def all_rules(rules: RuleSet, party: PartyConfig) -> dict[str, Rule]:
    """Transaction rules and party rules together, by id."""
    return {**rules.rules, **party.rules}
