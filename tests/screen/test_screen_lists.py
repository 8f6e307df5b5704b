"""It reads the FCDO and OFSI list layouts and refuses wrong or damaged files clearly."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from conftest import SHARED
from finflow.errors import FeedFormatError, InputError
from finflow.screen import ListFormatError, Screener, default_list_path, load_list
from finflow.screen.gen_fcdo import FCDO_COLUMNS

FCDO_SAMPLE = SHARED / "UK-Sanctions-List_sample.csv"
OFSI_SAMPLE = SHARED / "OFSI_ConList_2022format_header.csv"


def test_it_reads_the_real_fcdo_sample_as_published() -> None:
    lst = load_list(FCDO_SAMPLE)
    assert lst.layout == "FCDO"
    assert lst.report_date == "08-Oct-2026"
    (ship,) = lst.designations
    assert ship.unique_id == "RUS2176"
    assert ship.kind == "Ship"
    assert ship.primary_name == "KOROLEV PROSPECT"
    assert ship.regime == "The Russia (Sanctions) (EU Exit) Regulations 2019"
    match = Screener(lst).screen("Korolev Prospect")[0]
    assert match.unique_id == "RUS2176" and match.score == 1.0


def test_it_reads_the_real_ofsi_header_and_says_the_list_is_empty() -> None:
    with pytest.raises(ListFormatError, match="OFSI sanctions list has no designations"):
        load_list(OFSI_SAMPLE)


def test_it_reads_an_ofsi_list_with_rows_under_the_real_header(tmp_path: Path) -> None:
    lines = OFSI_SAMPLE.read_text(encoding="utf-8").splitlines()
    header = next(csv.reader([lines[1]]))
    rows = [
        {"Name 6": "QUILLON", "Name 1": "Bartholomew", "Alias Type": "Primary name",
         "Group Type": "Individual", "DOB": "14/03/1971", "Regime": "Test", "Group ID": "9001"},
        {"Name 6": "QUILL", "Name 1": "Bart", "Alias Type": "AKA", "Alias Quality": "Low quality",
         "Group Type": "Individual", "DOB": "14/03/1971", "Regime": "Test", "Group ID": "9001"},
        {"Name 6": "QUILLON HOLDINGS LTD", "Alias Type": "Primary name",
         "Group Type": "Entity", "Regime": "Test", "Group ID": "9002"},
    ]  # fmt: skip
    path = tmp_path / "ofsi.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(lines[0] + "\n")
        writer = csv.DictWriter(handle, header, restval="")
        writer.writeheader()
        writer.writerows(rows)
    lst = load_list(path)
    assert lst.layout == "OFSI" and lst.report_date == "28/01/2026"
    person, firm = lst.designations
    assert person.unique_id == "9001" and person.kind == "Individual"
    assert [n.name_type for n in person.names] == ["Primary Name", "Alias"]
    assert person.names[1].weak
    assert firm.kind == "Entity"
    assert Screener(lst).screen("Bartholomew Quillon", dob="1971-03-14")[0].unique_id == "9001"


def test_the_shipped_fixture_is_in_the_fcdo_layout_and_fictional() -> None:
    path = default_list_path()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Report Date: ")
    assert tuple(next(csv.reader([lines[1]]))) == FCDO_COLUMNS
    lst = load_list(path)
    assert lst.layout == "FCDO" and len(lst) >= 10
    assert all(d.unique_id.startswith("FIC") for d in lst)
    assert "fictional" in (path.parent / "README.md").read_text(encoding="utf-8").lower()


def test_multi_line_cells_and_multiple_dates_of_birth_are_read(people_list_path: Path) -> None:
    lst = load_list(people_list_path)
    assert lst.get("TST001").dobs == ("14/03/1971",)
    assert len(lst.get("TST001").names) == 3
    assert [n.name_type for n in lst.get("TST002").names] == ["Primary Name", "Non-Latin Script"]


def _fcdo(tmp_path: Path, body: str, first: str = "Report Date: 01-Jan-2030") -> Path:
    path = tmp_path / "list.csv"
    path.write_text(f"{first}\n{','.join(FCDO_COLUMNS)}\n{body}", encoding="utf-8")
    return path


def _row(**cells: str) -> str:
    row = dict.fromkeys(FCDO_COLUMNS, "")
    row.update({"Unique ID": "X1", "Name 6": "DOE", "Name type": "Primary Name",
                "Designation Type": "Individual"})  # fmt: skip
    row.update({k.replace("_", " "): v for k, v in cells.items()})
    return ",".join(f'"{row[c]}"' for c in FCDO_COLUMNS) + "\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"   \n\n", "is empty"),
        (b"\x00\x01\x02PK binary", "binary file"),
        (b"query_id,name\nQ1,John\n", "not a UK sanctions list CSV"),
        (b"Report Date: 01-Jan-2030\nUnique ID,Name 6\nX1,DOE\n", "header lacks columns"),
    ],
)
def test_it_refuses_a_file_that_is_not_a_list(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(content)
    with pytest.raises(FeedFormatError, match=message):
        load_list(path)


def test_it_refuses_a_list_with_a_short_row(tmp_path: Path) -> None:
    path = _fcdo(tmp_path, _row() + "X2,DOE\n")
    with pytest.raises(ListFormatError, match=r"record 4: 2 fields, the header has 58"):
        load_list(path)


def test_it_refuses_a_truncated_list(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match=r"line 4: damaged CSV .*is the file truncated\?"):
        load_list(_fcdo(tmp_path, _row() + _row()[:100]))
    with pytest.raises(ListFormatError, match="damaged CSV"):
        load_list(_fcdo(tmp_path, _row() + '"X2","DOE,\n"unfinished multi-line cell'))


def test_it_refuses_a_row_without_an_id_or_a_name(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="record 3: no Unique ID"):
        load_list(_fcdo(tmp_path, _row(Unique_ID="")))
    with pytest.raises(ListFormatError, match=r"record 3 \(X1\): no name"):
        load_list(_fcdo(tmp_path, _row(Name_6="")))


def test_it_refuses_an_unknown_name_type(tmp_path: Path) -> None:
    with pytest.raises(ListFormatError, match="unknown name type 'Nickname'"):
        load_list(_fcdo(tmp_path, _row(Name_type="Nickname")))


def test_a_missing_list_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="sanctions list not found"):
        load_list(tmp_path / "nope.csv")


def test_a_header_without_the_report_date_line_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(",".join(FCDO_COLUMNS) + "\n" + _row(), encoding="utf-8")
    assert load_list(path).get("X1").primary_name == "DOE"


def test_a_windows_1252_list_is_read(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    text = f"Report Date: 01-Jan-2030\n{','.join(FCDO_COLUMNS)}\n" + _row(Name_6="MÜLLER")
    path.write_bytes(text.encode("cp1252"))
    assert load_list(path).get("X1").primary_name == "MÜLLER"
