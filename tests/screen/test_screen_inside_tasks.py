"""Parallel screening where an Airflow task runs it (finflow.parallel).

An Airflow task runs under the ``airflow`` *script*, which a spawned child would import again
(and whose settings fail in a task's environment), and under Celery's prefork pool in a
*daemonic* process, which may not start children. Both are reproduced here with a script of
our own: it refuses to be imported again, and can run the screening in a daemonic process.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from finflow.screen import load_list
from finflow.screen.batch import screen_file

SCRIPT = """
import sys
if __name__ != "__main__":
    # What the `airflow` script does in a task's environment: importing it again fails.
    raise SystemExit("the main script was imported again in a worker")

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from finflow.screen import load_list
from finflow.screen.batch import screen_file


def screen(list_path, queries, out):
    screen_file(load_list(Path(list_path)), Path(queries), Path(out), workers=2)


if __name__ == "__main__":
    mode, list_path, queries, out = sys.argv[1:]
    if mode == "plain-spawn-pool":  # the hazard itself, without finflow.parallel
        with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
            print(sum(pool.map(abs, [-1, -2, -3])))
    elif mode == "script":
        screen(list_path, queries, out)
    elif mode == "daemonic":
        # A task of Celery's prefork pool runs in a daemonic process like this one.
        child = multiprocessing.get_context("fork").Process(
            target=screen, args=(list_path, queries, out), daemon=True
        )
        child.start()
        child.join()
        sys.exit(child.exitcode)
"""


def _queries(tmp_path: Path) -> Path:
    names = ["Bob Pemberton", "Husain Rezaee", "Nobody Here", "Сергей Воробьёв"] * 1200
    lines = ["query_id,name"] + [f"q{i},{n}" for i, n in enumerate(names)]
    path = tmp_path / "queries.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "task_like_main.py"
    script.write_text(SCRIPT, encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_hazard_is_real_a_plain_spawn_pool_imports_the_main_script(tmp_path: Path) -> None:
    result = _run(tmp_path, "plain-spawn-pool", "-", "-", "-")
    assert result.returncode != 0
    assert "BrokenProcessPool" in result.stderr or "imported again" in result.stderr


@pytest.mark.parametrize(
    "mode",
    [
        pytest.param("script", id="two-workers-under-a-main-script-never-imported-again"),
        pytest.param("daemonic", id="two-workers-asked-for-in-a-daemonic-process-work-in-it"),
    ],
)
def test_screening_inside_a_task_like_process_gives_the_one_process_output(
    tmp_path: Path, people_list_path: Path, mode: str
) -> None:
    queries = _queries(tmp_path)
    out = tmp_path / f"{mode}.csv"
    result = _run(tmp_path, mode, str(people_list_path), str(queries), str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    screen_file(load_list(people_list_path), queries, tmp_path / "one.csv", workers=1)
    assert out.read_bytes() == (tmp_path / "one.csv").read_bytes()
