"""The sanctions list as the screener sees it: designations, each with its name rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PRIMARY = "Primary Name"
VARIATION = "Primary Name Variation"
ALIAS = "Alias"
NON_LATIN = "Non-Latin Script"

# Evidence strength of a name row: a low-quality alias is weaker evidence than a primary name.
NAME_STRENGTH = {PRIMARY: 1.0, VARIATION: 0.98, ALIAS: 0.96, NON_LATIN: 0.95}
WEAK_ALIAS_STRENGTH = 0.86

KINDS = ("Individual", "Entity", "Ship")


@dataclass(frozen=True, slots=True)
class NameRow:
    """One name of a designation, as published."""

    name: str
    name_type: str  # PRIMARY, VARIATION, ALIAS or NON_LATIN
    alias_strength: str = ""  # as published, e.g. "Good quality", "Low quality"
    family: str = ""  # the surname (Name 6) when given names are listed apart from it

    @property
    def weak(self) -> bool:
        strength = self.alias_strength.lower()
        return "low" in strength or "weak" in strength

    @property
    def strength(self) -> float:
        if self.weak:
            return WEAK_ALIAS_STRENGTH
        return NAME_STRENGTH.get(self.name_type, NAME_STRENGTH[ALIAS])


@dataclass(frozen=True, slots=True)
class Designation:
    """One designated person, entity or ship (one `Unique ID`)."""

    unique_id: str
    kind: str  # Individual, Entity or Ship
    regime: str
    primary_name: str
    names: tuple[NameRow, ...]
    dobs: tuple[str, ...] = ()  # as published (dd/mm/yyyy, 00 for unknown parts)


@dataclass(frozen=True)
class SanctionsList:
    """A loaded list: where it came from, its layout and date, and its designations."""

    path: Path
    layout: str  # "FCDO" or "OFSI"
    report_date: str
    designations: tuple[Designation, ...]

    def __len__(self) -> int:
        return len(self.designations)

    def __iter__(self) -> Iterator[Designation]:
        return iter(self.designations)

    @property
    def name_rows(self) -> int:
        return sum(len(d.names) for d in self.designations)

    def get(self, unique_id: str) -> Designation:
        for designation in self.designations:
            if designation.unique_id == unique_id:
                return designation
        raise KeyError(unique_id)
