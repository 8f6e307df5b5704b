"""The CLI on bad input: one line naming the file and the problem, a non-zero exit, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

FINFLOW = [sys.executable, "-m", "finflow.cli"]


def finflow(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*FINFLOW, *map(str, args)], capture_output=True, text=True, timeout=300, check=False
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    progress = "  ["  # the stage progress display, not part of the message
    lines = [ln for ln in result.stderr.splitlines() if ln.strip() and not ln.startswith(progress)]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("finflow: error: ")
    for needle in needles:
        assert needle in lines[0]


def test_missing_input_folder(tmp_path: Path) -> None:
    result = finflow("run", "--input", tmp_path / "nope", "--out", tmp_path / "out")
    assert_one_line_error(result, "nope", "does not exist")


def test_empty_input_folder(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    result = finflow("run", "--input", tmp_path / "in", "--out", tmp_path / "out")
    assert_one_line_error(result, "has no files")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "the file is empty"),
        (bytes(range(256)) * 4, "binary content"),
        (
            b"Date,Description,Quantity\n01/02/2022,coffee,2\n",
            "unknown header 'Date,Description,Quantity'",
        ),
    ],
)
def test_a_single_unusable_file(tmp_path: Path, content: bytes, problem: str) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "feed.csv").write_bytes(content)
    result = finflow("run", "--input", tmp_path / "in", "--out", tmp_path / "out")
    assert_one_line_error(result, "feed.csv", problem)


def test_a_bad_rules_file(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "rules.yaml").write_text("version: 1\n")
    result = finflow(
        "run",
        "--input",
        tmp_path / "in",
        "--out",
        tmp_path / "out",
        "--rules",
        tmp_path / "rules.yaml",
    )
    assert_one_line_error(result)


def test_evaluate_on_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    truth = tmp_path / "t.txt"
    truth.write_text("BEGIN LAUNDERING ATTEMPT - FAN-OUT\nEND LAUNDERING ATTEMPT - FAN-OUT\n")
    result = finflow("evaluate", "--truth", truth, "--out", tmp_path)
    assert_one_line_error(result, "not a finished finflow run")


def test_generate_refuses_a_silly_row_count(tmp_path: Path) -> None:
    result = finflow("generate", "--out", tmp_path, "--rows", "-5", "--seed", "1")
    assert_one_line_error(result)


def test_generate_then_run_with_relative_paths(tmp_path: Path) -> None:
    gen = subprocess.run(
        [*FINFLOW, "generate", "--out", "feeds", "--rows", "5000", "--seed", "3"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert gen.returncode == 0, gen.stderr
    run = subprocess.run(
        [*FINFLOW, "run", "--input", "feeds", "--out", "out", "--pdf-top", "1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "rows read 5" in run.stdout and "open " in run.stdout
    assert (tmp_path / "out" / "run.json").is_file()
    assert (tmp_path / "out" / "validation" / "data_docs" / "index.html").is_file()
    assert len(list((tmp_path / "out" / "cases").glob("*/case.pdf"))) == 1
