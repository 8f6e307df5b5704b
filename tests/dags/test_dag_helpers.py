"""The DAGs' run-time helpers: store URL from an Airflow connection, failure notifications.

The helpers import Airflow only inside the functions that need a running task, so these tests
call them directly with connection-like objects and a local HTTP endpoint.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from typing import Any

import pytest
from airflow_env import DAGS

sys.path.insert(0, str(DAGS))

from finflow_airflow import callbacks
from finflow_airflow.callbacks import failure_message, notify, on_task_failure
from finflow_airflow.runtime import connection_url


def conn(**fields: Any) -> SimpleNamespace:
    base = {"conn_id": "c", "conn_type": None, "host": None, "port": None, "login": None}
    base |= {"password": None, "schema": None}
    extra = fields.pop("extra", {})
    return SimpleNamespace(**(base | fields), extra_dejson=extra)


def test_a_postgres_connection_becomes_a_psycopg_url() -> None:
    url = connection_url(
        conn(
            conn_type="postgres",
            host="db",
            port=5433,
            login="u",
            password="p@ss",  # noqa: S106
            schema="ff",
        )
    )
    assert url == "postgresql+psycopg://u:p%40ss@db:5433/ff"


def test_an_explicit_sqlalchemy_url_in_extra_wins() -> None:
    url = connection_url(conn(conn_type="generic", extra={"sqlalchemy_url": "sqlite:///x.db"}))
    assert url == "sqlite:///x.db"


def test_an_unsupported_connection_type_is_named() -> None:
    with pytest.raises(ValueError, match="'mysql'"):
        connection_url(conn(conn_type="mysql", host="db"))


@pytest.fixture
def endpoint() -> Iterator[tuple[int, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append({"path": self.path, "auth": self.headers["Authorization"], **body})
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1], received
    finally:
        server.shutdown()
        server.server_close()


def failed_context(params: dict[str, Any] | None = None) -> dict[str, Any]:
    ti = SimpleNamespace(
        dag_id="finflow_pipeline", run_id="r1", task_id="validate", map_index=-1, try_number=1
    )
    return {"ti": ti, "exception": ValueError("suite transactions failed"), "params": params}


def test_a_webhook_connection_receives_the_failure(
    endpoint: tuple[int, list[dict[str, Any]]],
) -> None:
    port, received = endpoint
    hook = conn(
        conn_type="http",
        host="127.0.0.1",
        port=port,
        password="tok",  # noqa: S106
        extra={"endpoint": "/h"},
    )
    notify(hook, failure_message(failed_context()))
    assert received == [
        {
            "path": "/h",
            "auth": "Bearer tok",
            "dag_id": "finflow_pipeline",
            "run_id": "r1",
            "task_id": "validate",
            "map_index": -1,
            "try_number": 1,
            "error": "ValueError: suite transactions failed",
            "log_url": None,
        }
    ]


def test_a_mail_connection_needs_a_recipient() -> None:
    with pytest.raises(ValueError, match='no extra "to"'):
        notify(conn(conn_type="smtp", host="127.0.0.1"), failure_message(failed_context()))


def test_the_callback_logs_and_never_raises(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(conn_id: str) -> None:
        raise ConnectionError(f"secrets backend down while fetching {conn_id}")

    monkeypatch.setattr(callbacks, "_connection", unreachable)
    on_task_failure(failed_context({"alert_conn_id": "finflow_alerts"}))
    messages = [r.getMessage() for r in caplog.records]
    assert any("finflow task failed: finflow_pipeline.validate (run r1)" in m for m in messages)
    assert any("could not be sent" in m for m in messages)


def test_the_detection_window_prefers_params_then_lake_events_then_the_interval() -> None:
    from datetime import UTC, datetime

    from finflow_airflow.runtime import detection_window

    day = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC))
    events = [
        {"booked_from": "2022-09-03T00:00:00+00:00", "booked_to": "2022-09-20T10:00:00+00:00"},
        {"booked_from": "2022-09-01T00:05:00+00:00", "booked_to": "2022-09-10T00:00:00+00:00"},
        {"booked_from": None, "booked_to": None},  # an accounts-only ingest
    ]
    params = {"window_start": "2024-05-01", "window_end": None}
    assert detection_window(params, "manual", day, events) == ("2024-05-01", None, "params")
    assert detection_window({}, "asset_triggered", (None, None), events) == (
        "2022-09-01T00:05:00+00:00",
        "2022-09-20T10:00:00.000001+00:00",  # end exclusive: just after the last booking
        "lake events",
    )
    assert detection_window({}, "DagRunType.BACKFILL_JOB", day, []) == (
        "2025-01-01T00:00:00+00:00",
        "2025-01-02T00:00:00+00:00",
        "data interval",
    )
    assert detection_window({}, "manual", day, []) == (None, None, "whole lake")


def test_a_url_feed_location_is_mirrored_locally(tmp_path: Any) -> None:
    import os

    from finflow_airflow.storage import local_folder

    remote = tmp_path / "remote"
    (remote / "bank_a" / "deep").mkdir(parents=True)
    (remote / "bank_a" / "feed.csv").write_text("a,b\n1,2\n")
    (remote / "bank_a" / "deep" / "x.csv").write_text("deeper\n")
    (remote / ".hidden").write_text("copy in progress\n")
    os.utime(remote / "bank_a" / "feed.csv", (1e9, 1e9))
    staging = tmp_path / "staging"
    assert local_folder(str(remote), staging) == remote  # a plain path is used as it is
    mirror = local_folder(remote.as_uri(), staging)
    assert mirror.parent == staging
    copied = sorted(p.relative_to(mirror).as_posix() for p in mirror.rglob("*") if p.is_file())
    assert copied == ["bank_a/deep/x.csv", "bank_a/feed.csv"]
    assert (mirror / "bank_a" / "feed.csv").stat().st_mtime == 1e9  # the object's own time
    (remote / "bank_a" / "deep" / "x.csv").unlink()
    (remote / "bank_a" / "feed.csv").write_text("a,b\n3,4\n")
    assert local_folder(remote.as_uri(), staging) == mirror
    assert (mirror / "bank_a" / "feed.csv").read_text() == "a,b\n3,4\n"
    assert not (mirror / "bank_a" / "deep" / "x.csv").exists()


def test_a_missing_url_feed_location_is_a_bad_input(tmp_path: Any) -> None:
    from finflow.errors import InputError
    from finflow_airflow.storage import local_folder

    with pytest.raises(InputError, match="does not exist"):
        local_folder((tmp_path / "nowhere").as_uri(), tmp_path / "staging")
