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

from finflow.screen import Screener, load_list
from finflow.screen.batch import screen_file

SCRIPT = """
import sys
if __name__ != "__main__":
    # What the `airflow` script does in a task's environment: importing it again fails.
    raise SystemExit("the main script was imported again in a worker")

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from finflow.screen import Screener, load_list
from finflow.screen.batch import screen_file


def screen(list_path, queries, out):
    screen_file(Screener(load_list(Path(list_path))), Path(queries), Path(out), workers=2)


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


def _run(tmp_path: Path, mode: str, list_path: Path, queries: Path, out: Path) -> None:
    script = tmp_path / "task_like_main.py"
    script.write_text(SCRIPT, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script), mode, str(list_path), str(queries), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_the_hazard_is_real_a_plain_spawn_pool_imports_the_main_script(
    tmp_path: Path, people_list_path: Path
) -> None:
    script = tmp_path / "task_like_main.py"
    script.write_text(SCRIPT, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script), "plain-spawn-pool", "-", "-", "-"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode != 0
    assert "BrokenProcessPool" in result.stderr or "imported again" in result.stderr


def test_two_workers_under_a_main_script_that_must_not_be_imported_again(
    tmp_path: Path, people_list_path: Path
) -> None:
    queries = _queries(tmp_path)
    _run(tmp_path, "script", people_list_path, queries, tmp_path / "two.csv")
    screener = Screener(load_list(people_list_path))
    screen_file(screener, queries, tmp_path / "one.csv", workers=1)
    assert (tmp_path / "two.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()


def test_two_workers_asked_for_in_a_daemonic_process_screen_in_that_process(
    tmp_path: Path, people_list_path: Path
) -> None:
    queries = _queries(tmp_path)
    _run(tmp_path, "daemonic", people_list_path, queries, tmp_path / "daemonic.csv")
    screener = Screener(load_list(people_list_path))
    screen_file(screener, queries, tmp_path / "one.csv", workers=1)
    assert (tmp_path / "daemonic.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()
