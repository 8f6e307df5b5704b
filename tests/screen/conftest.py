"""A small hand-written list in the FCDO layout, shared by the screening tests."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from finflow.screen import Screener, load_list
from finflow.screen.gen_fcdo import FCDO_COLUMNS

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "sanctions"

# uid, type, dob, [(name 1..5, name 6, name type, alias strength, non-latin)]
PEOPLE = [
    ("TST001", "Individual", "14/03/1971", [
        (["Mohammed", "Abdulrahman"], "AL-TIKRITI", "Primary Name", "", ""),
        (["Muhammad", "Abdul Rahman"], "TIKRITI", "Primary Name Variation", "", ""),
        ([], "ABU HAMZA AL-IRAQI", "Alias", "Low quality", ""),
    ]),
    ("TST002", "Individual", "02/11/1980", [
        (["Sergey", "Yevgenyevich"], "VOROBYOV", "Primary Name", "", "Сергей Евгеньевич Воробьёв"),
    ]),
    ("TST003", "Individual", "00/00/1965", [(["Hossein"], "REZAEI", "Primary Name", "", "")]),
    ("TST004", "Individual", "1975", [(["Rebwar", "Kawa"], "ZEBARI", "Primary Name", "", "")]),
    ("TST005", "Individual", "00/05/1990", [(["Weiqiang"], "ZHANG", "Primary Name", "", "张伟强")]),
    ("TST006", "Individual", "21/06/1975", [(["Van", "Thanh"], "NGUYEN", "Primary Name", "", "")]),
    ("TST007", "Individual", "21/06/1962", [(["Robert"], "PEMBERTON", "Primary Name", "", "")]),
    ("TST008", "Entity", "", [
        ([], "ZANDERVELT MARITIME TRADING LLC", "Primary Name", "", ""),
        ([], "ZMT GROUP", "Alias", "Low quality", ""),
    ]),
    ("TST009", "Individual", "30/01/1984", [(["Olusegun"], "ADEKANMBI", "Primary Name", "", "")]),
    ("TST010", "Individual", "", [(["Ali", "Hassan"], "AL-ZUBAIDI", "Primary Name", "", "")]),
    ("TST011", "Ship", "", [([], "SILVER KESTREL", "Primary Name", "", "")]),
]  # fmt: skip


def write_fcdo(
    path: Path, people: list[tuple[str, str, str, list[tuple[list[str], str, str, str, str]]]]
) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("Report Date: 01-Jan-2030\n")
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(FCDO_COLUMNS)
        for uid, kind, dob, names in people:
            for given, family, name_type, strength, script in names:
                row = dict.fromkeys(FCDO_COLUMNS, "")
                row.update({f"Name {i}": g for i, g in enumerate(given, start=1)})
                row.update(
                    {
                        "Unique ID": uid,
                        "Name 6": family,
                        "Name type": name_type,
                        "Alias strength": strength,
                        "Name non-latin script": script,
                        "Designation Type": kind,
                        "Regime Name": "Invented Regime (Test) Regulations 2030",
                        "D.O.B": dob,
                    }
                )
                writer.writerow(row[c] for c in FCDO_COLUMNS)
    return path


@pytest.fixture(scope="session")
def people_list_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_fcdo(tmp_path_factory.mktemp("screen") / "people.csv", PEOPLE)


@pytest.fixture(scope="session")
def screener(people_list_path: Path) -> Screener:
    return Screener(load_list(people_list_path))
