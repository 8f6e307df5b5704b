"""Write an invented list in the exact FCDO UK Sanctions List CSV layout (58 columns)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from finflow.screen.gen_people import Part, Subject

FCDO_COLUMNS = (
    "Last Updated", "Unique ID", "OFSI Group ID", "UN Reference Number", "Name 6", "Name 1",
    "Name 2", "Name 3", "Name 4", "Name 5", "Name type", "Alias strength", "Title",
    "Name non-latin script", "Non-latin script type", "Non-latin script language",
    "Regime Name", "Designation Type", "Designation source", "Sanctions Imposed",
    "Other Information", "UK Statement of Reasons", "Address Line 1", "Address Line 2",
    "Address Line 3", "Address Line 4", "Address Line 5", "Address Line 6",
    "Address Postal Code", "Address Country", "Phone number", "Website", "Email address",
    "Date Designated", "D.O.B", "Nationality(/ies)", "National Identifier number",
    "National Identifier additional information", "Passport number",
    "Passport additional information", "Position", "Gender", "Town of birth",
    "Country of birth", "Type of entity", "Subsidiaries", "Parent company",
    "Business registration number (s)", "IMO number", "Current owner/operator (s)",
    "Previous owner/operator (s)", "Current believed flag of ship", "Previous flags",
    "Type of ship", "Tonnage of ship", "Length of ship", "Year Built",
    "Hull identification number (HIN)",
)  # fmt: skip
REGIMES = (
    "The Global Irregular Migration and Trafficking in Persons Sanctions Regulations 2025",
    "The Fictional Republic (Sanctions) (Test) Regulations 2030",
    "The Invented Territories (Sanctions) (Test) Regulations 2031",
)
SCRIPTS = {"russian": ("Cyrillic", "Russian"), "chinese": ("Chinese", "Chinese")}


@dataclass(frozen=True)
class ListedName:
    """One name row: the parts, which spelling of each, the name type and alias strength."""

    parts: Sequence[Part]
    spelling: int
    name_type: str
    strength: str

    def words(self) -> list[tuple[str, str]]:
        return [(p.role, p.spellings[min(self.spelling, len(p.spellings) - 1)]) for p in self.parts]

    def text(self) -> str:
        return " ".join(w for _, w in self.words())


def _name_fields(subject: Subject, name: ListedName) -> dict[str, str]:
    words = name.words()
    if subject.kind != "Individual" or len(words) == 1:
        return {"Name 6": " ".join(w for _, w in words).upper()}
    family = " ".join(w for role, w in words if role == "family")
    given = [w for role, w in words if role != "family"]
    fields = {"Name 6": family.upper()}
    for i, word in enumerate(given[:5], start=1):
        fields[f"Name {i}"] = word
    return fields


def write_fcdo(
    path: Path, designations: Sequence[tuple[str, Subject, Sequence[ListedName]]]
) -> None:
    """Write the designations with a Report Date line, as the FCDO download is laid out."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("Report Date: 01-Jan-2030\n")
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(FCDO_COLUMNS)
        for number, (uid, subject, names) in enumerate(designations):
            for i, name in enumerate(names):
                row = dict.fromkeys(FCDO_COLUMNS, "")
                row.update(_name_fields(subject, name))
                row.update(
                    {
                        "Last Updated": "01/01/2030",
                        "Unique ID": uid,
                        "Name type": name.name_type,
                        "Alias strength": name.strength,
                        "Regime Name": REGIMES[number % len(REGIMES)],
                        "Designation Type": subject.kind,
                        "Designation source": "UK",
                        "Sanctions Imposed": "Asset freeze|Travel Ban",
                        "Other Information": "Invented for a finflow test set.\nNot real.",
                        "Date Designated": "01/01/2030",
                        "D.O.B": "|".join(subject.dobs),
                    }
                )
                script = (
                    "".join(p.script for p in subject.parts)
                    if subject.culture == "chinese"
                    else " ".join(p.script for p in subject.parts if p.script)
                )
                if i == 0 and subject.culture in SCRIPTS and script:
                    row["Name non-latin script"] = script
                    row["Non-latin script type"], row["Non-latin script language"] = SCRIPTS[
                        subject.culture
                    ]
                writer.writerow(row[c] for c in FCDO_COLUMNS)
