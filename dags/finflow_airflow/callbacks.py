"""Failure callback: log the failure and, when configured, notify through an Airflow connection.

The connection id is read when a task fails, from the run's ``alert_conn_id`` Param or else the
Variable ``finflow_alert_conn_id``. Supported connection types:

- ``http`` (a webhook): JSON POSTed to ``{schema or http}://host[:port]`` + ``extra.endpoint``;
  ``extra.headers`` (a dict) is sent as extra headers.
- ``smtp`` or ``email``: a plain-text mail through host:port (STARTTLS unless
  ``extra.disable_tls``), from ``extra.from_email`` to ``extra.to`` (comma-separated).

A notification that cannot be sent is logged, never raised: the task has failed already.
"""

from __future__ import annotations

import json
import logging
from typing import Any

log = logging.getLogger(__name__)


def failure_message(context: dict[str, Any]) -> dict[str, Any]:
    """The facts of a failed task, as a small JSON-able dict."""
    ti = context.get("ti") or context.get("task_instance")
    exc = context.get("exception")
    return {
        "dag_id": getattr(ti, "dag_id", None),
        "run_id": getattr(ti, "run_id", None),
        "task_id": getattr(ti, "task_id", None),
        "map_index": getattr(ti, "map_index", None),
        "try_number": getattr(ti, "try_number", None),
        "error": f"{type(exc).__name__}: {exc}" if exc is not None else None,
        "log_url": getattr(ti, "log_url", None),
    }


def alert_conn_id(context: dict[str, Any]) -> str:
    params = context.get("params") or {}
    if params.get("alert_conn_id"):
        return str(params["alert_conn_id"])
    from airflow.sdk import Variable

    return str(Variable.get("finflow_alert_conn_id", default="") or "")


def on_task_failure(context: dict[str, Any]) -> None:
    """`on_failure_callback` of every finflow task."""
    message = failure_message(context)
    log.error(
        "finflow task failed: %s.%s (run %s): %s",
        message["dag_id"],
        message["task_id"],
        message["run_id"],
        message["error"],
    )
    try:
        conn_id = alert_conn_id(context)
        if conn_id:
            notify(_connection(conn_id), message)
            log.info("finflow failure notification sent through connection %r", conn_id)
    except Exception:  # a broken notifier must not hide the task's own failure
        log.exception("finflow failure notification could not be sent")


def _connection(conn_id: str) -> Any:
    from airflow.sdk import Connection

    return Connection.get(conn_id)


def notify(conn: Any, message: dict[str, Any]) -> None:
    kind = (conn.conn_type or "").lower()
    if kind in ("http", "https"):
        _post_webhook(conn, message)
    elif kind in ("smtp", "email"):
        _send_mail(conn, message)
    else:
        raise ValueError(f"connection {conn.conn_id!r}: type {kind!r} is not http or smtp")


def _post_webhook(conn: Any, message: dict[str, Any]) -> None:
    import urllib.request

    extra = conn.extra_dejson or {}
    host = conn.host or ""
    if "://" not in host:
        host = f"{conn.schema or 'http'}://{host}"
    if conn.port:
        host = f"{host.rstrip('/')}:{conn.port}"
    url = host.rstrip("/") + "/" + str(extra.get("endpoint", "")).lstrip("/")
    headers = {"Content-Type": "application/json", **extra.get("headers", {})}
    if conn.password:
        headers.setdefault("Authorization", f"Bearer {conn.password}")
    request = urllib.request.Request(  # noqa: S310 - the URL is the operator's own connection
        url, data=json.dumps(message).encode(), headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        response.read()


def _send_mail(conn: Any, message: dict[str, Any]) -> None:
    import smtplib
    from email.message import EmailMessage

    extra = conn.extra_dejson or {}
    recipients = [a.strip() for a in str(extra.get("to", "")).split(",") if a.strip()]
    if not recipients:
        raise ValueError(f'connection {conn.conn_id!r} has no extra "to" address')
    mail = EmailMessage()
    mail["Subject"] = f"finflow: {message['dag_id']}.{message['task_id']} failed"
    mail["From"] = extra.get("from_email") or conn.login or "finflow@localhost"
    mail["To"] = ", ".join(recipients)
    mail.set_content(json.dumps(message, indent=2))
    with smtplib.SMTP(conn.host or "localhost", int(conn.port or 25), timeout=10) as smtp:
        if not extra.get("disable_tls"):
            smtp.starttls()
        if conn.login:
            smtp.login(conn.login, conn.password or "")
        smtp.send_message(mail)
