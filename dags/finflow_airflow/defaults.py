"""Task defaults shared by finflow's DAGs: retries with exponential backoff, a retry policy
that fails at once on errors a retry cannot fix, and the failure callback.

`ExceptionRetryPolicy` (Airflow 3.3) is evaluated in the worker: a bad feed, a bad setting or a
failed data-quality gate fails the task on its first try with the library's message; anything
else (database down, disk full, a killed worker) is retried with exponential backoff.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.sdk import ExceptionRetryPolicy, RetryAction, RetryRule

from finflow_airflow.callbacks import on_task_failure

# Dotted paths, so that parsing a DAG file imports no finflow module beyond finflow.errors.
NOT_RETRYABLE = ExceptionRetryPolicy(
    rules=[
        RetryRule(
            exception="finflow.errors.ValidationFailed",
            action=RetryAction.FAIL,
            reason="data-quality gate failed: the feed must be fixed, a retry cannot pass",
        ),
        RetryRule(
            exception=["finflow.errors.InputError", "finflow.errors.ConfigError"],
            action=RetryAction.FAIL,
            reason="bad input or configuration: fix it and clear the task",
        ),
    ]
)

DEFAULT_ARGS: dict[str, Any] = {
    "owner": "finflow",
    "retries": 3,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=15),
    "execution_timeout": timedelta(hours=1),
    "retry_policy": NOT_RETRYABLE,
    "on_failure_callback": on_task_failure,
}
