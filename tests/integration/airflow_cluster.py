"""A real, throw-away Airflow 3 deployment for integration tests.

`cluster(...)` creates a fresh PostgreSQL metadata database (`airflow_it_<hex>`) through the
admin connection to `test`, an AIRFLOW_HOME in a temporary folder, runs `airflow db migrate`,
and starts `airflow api-server`, `airflow dag-processor`, `airflow scheduler` and, for the
CeleryExecutor, `airflow celery worker` processes, each in its own process group with its
output in `<home>/logs/<name>.log`. Everything is configured through AIRFLOW__... variables:

- `[api] base_url`/`host`/`port`: the api-server on a free local port;
- `[core] execution_api_server_url`: `<base_url>/execution/`, where task processes (the
  LocalExecutor's children, the Celery workers' supervisors) fetch connections and report state;
- `[api_auth] jwt_secret`: one secret shared by the scheduler (which signs the tasks' tokens)
  and the api-server (which checks them); `[api] secret_key` and `[core] fernet_key` likewise;
- `[core] simple_auth_manager_all_admins`: the REST API needs no login in the test.

On exit every process group gets SIGTERM, then SIGKILL after a grace period, and the database
is dropped (Celery: the test's broker queue keys are deleted from the dedicated Redis DB).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
PG_ADMIN_URL = os.environ.get(
    "FINFLOW_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("FINFLOW_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
TERMINAL = {"success", "failed"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tail(path: Path, lines: int = 60) -> str:
    if not path.exists():
        return f"({path} not written)"
    text_lines = path.read_text(errors="replace").splitlines()
    return "\n".join(text_lines[-lines:])


@dataclass
class Cluster:
    home: Path
    env: dict[str, str]
    base_url: str
    sql_url: str
    deadline: float = float("inf")  # time.monotonic() by which the whole test must be done
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def logs(self) -> Path:
        return self.home / "logs"

    # -- processes -----------------------------------------------------------------------

    def start(
        self,
        name: str,
        *args: str,
        env: dict[str, str] | None = None,
        command: Sequence[str] = (AIRFLOW,),
    ) -> None:
        """Start `command args` (by default the `airflow` script) in its own process group."""
        self.logs.mkdir(parents=True, exist_ok=True)
        with (self.logs / f"{name}.log").open("ab") as out:
            self.processes[name] = subprocess.Popen(
                [*command, *args],
                env=env or self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: stop() reaches its children
            )

    def check_alive(self) -> None:
        for name, proc in self.processes.items():
            if proc.poll() is not None:
                raise AssertionError(f"airflow {name} exited with {proc.returncode}")

    def stop(self, grace: float = 30) -> None:
        for proc in reversed(list(self.processes.values())):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in self.processes.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            # the group may outlive its leader (task processes): kill whatever is left
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)

    def report(self) -> str:
        parts = [f"--- {p.name} (tail) ---\n{tail(p)}" for p in sorted(self.logs.glob("*.log"))]
        task_logs = sorted(self.logs.glob("dag_id=*/**/*.log"))
        parts += [f"--- task log {p.relative_to(self.logs)} ---\n{tail(p, 40)}" for p in task_logs]
        return "\n".join(parts)

    # -- REST API ------------------------------------------------------------------------

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        response = httpx.request(method, f"{self.base_url}/api/v2{path}", timeout=30, **kwargs)
        response.raise_for_status()
        return response.json()

    def wait(self, what: str, probe: Callable[[], Any], timeout: float, every: float = 2) -> Any:
        """Poll `probe` until it returns a truthy value; fail after `timeout` or the deadline."""
        deadline = min(time.monotonic() + timeout, self.deadline)
        while True:
            self.check_alive()
            with contextlib.suppress(httpx.HTTPError):
                value = probe()
                if value:
                    return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what} (step or test budget)")
            time.sleep(every)

    def wait_for_dag(self, dag_id: str, timeout: float = 180) -> None:
        self.wait(f"DAG {dag_id} to be parsed", lambda: self.api("GET", f"/dags/{dag_id}"), timeout)

    def unpause(self, dag_id: str) -> None:
        self.api("PATCH", f"/dags/{dag_id}", json={"is_paused": False})

    def trigger(self, dag_id: str, conf: dict[str, Any]) -> str:
        run = self.api("POST", f"/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf})
        return str(run["dag_run_id"])

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float) -> str:
        def finished() -> str | None:
            state = self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}")["state"]
            return state if state in TERMINAL else None

        return str(self.wait(f"run {run_id} of {dag_id} to finish", finished, timeout, every=3))

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        path = f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances"
        return list(self.api("GET", path, params={"limit": 1000})["task_instances"])

    def asset_events(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        query = {"source_dag_id": dag_id, "source_run_id": run_id, "limit": 1000}
        return list(self.api("GET", "/assets/events", params=query)["asset_events"])


def _create_database(prefix: str) -> str:
    admin_url = make_url(PG_ADMIN_URL)
    name = f"{prefix}_{secrets.token_hex(6)}"
    admin = create_engine(admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name


def drop_database(name: str) -> None:
    admin = create_engine(make_url(PG_ADMIN_URL), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextlib.contextmanager
def database(prefix: str) -> Iterator[str]:
    """A fresh PostgreSQL database on the test server; yields its name, drops it afterwards."""
    name = _create_database(prefix)
    try:
        yield name
    finally:
        drop_database(name)


def pg_url(name: str, driver: str = "psycopg2") -> str:
    url = make_url(PG_ADMIN_URL).set(drivername=f"postgresql+{driver}", database=name)
    return url.render_as_string(hide_password=False)


def base_env(home: Path, executor: str, sql_url: str, port: int) -> dict[str, str]:
    from cryptography.fernet import Fernet

    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "FINFLOW_"))}
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__EXECUTOR=executor,
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__UNIT_TEST_MODE="False",
        AIRFLOW__CORE__FERNET_KEY=Fernet.generate_key().decode(),
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS="True",
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"{base_url}/execution/",
        AIRFLOW__CORE__PARALLELISM="4",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=sql_url,
        AIRFLOW__API__BASE_URL=base_url,
        AIRFLOW__API__HOST="127.0.0.1",
        AIRFLOW__API__PORT=str(port),
        AIRFLOW__API__WORKERS="1",
        AIRFLOW__API__SECRET_KEY=secrets.token_hex(16),
        AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_hex(32),
        AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(free_port()),
        AIRFLOW__LOGGING__BASE_LOG_FOLDER=str(home / "logs"),
        AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK="False",
        # pick up the DAG files quickly, with one parsing process on a 2-core machine
        AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="5",
        AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES="1",
        AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL="60",
        PYTHONUNBUFFERED="1",
    )
    return env


@contextlib.contextmanager
def cluster(
    tmp: Path,
    executor: str = "LocalExecutor",
    extra_env: dict[str, str] | None = None,
    workers: tuple[str, ...] = (),
    budget: float = 420,
    worker_command: Sequence[str] = (AIRFLOW,),
) -> Iterator[Cluster]:
    """A running Airflow; `workers` names the Celery workers to start (CeleryExecutor).

    `budget` bounds, in seconds from now, every wait of the test (not the teardown).
    `worker_command` is what starts a Celery worker before its `celery worker ...` arguments
    (default: the `airflow` script, like every other component).
    """
    started = time.monotonic()
    home = tmp / "airflow"
    home.mkdir(parents=True)
    port = free_port()
    with database("airflow_it") as name:
        env = base_env(home, executor, pg_url(name), port) | (extra_env or {})
        queue = f"it_{secrets.token_hex(4)}"
        if executor == "CeleryExecutor":
            env.update(
                AIRFLOW__CELERY__BROKER_URL=REDIS_URL,
                AIRFLOW__CELERY__RESULT_BACKEND="db+" + pg_url(name),
                AIRFLOW__CELERY__WORKER_CONCURRENCY="1",
                # a queue of our own: parallel test runs sharing the Redis DB cannot interfere
                AIRFLOW__OPERATORS__DEFAULT_QUEUE=queue,
            )
        c = Cluster(
            home=home,
            env=env,
            base_url=f"http://127.0.0.1:{port}",
            sql_url=pg_url(name),
            deadline=started + budget,
        )
        migrate = subprocess.run(
            [AIRFLOW, "db", "migrate"], env=env, capture_output=True, text=True, timeout=240
        )
        assert migrate.returncode == 0, migrate.stdout[-3000:] + migrate.stderr[-3000:]
        try:
            c.start("api-server", "api-server")
            c.start("dag-processor", "dag-processor")
            c.start("scheduler", "scheduler")
            for worker in workers:
                c.start(
                    f"worker-{worker}",
                    *celery_worker_args(worker, queue),
                    env=worker_env(c, worker),
                    command=worker_command,
                )
            c.wait("the api-server", lambda: c.api("GET", "/monitor/health"), timeout=120)
            yield c
        except BaseException:
            print(c.report(), file=sys.stderr)
            raise
        finally:
            c.stop()
            if executor == "CeleryExecutor":
                _forget_queue(queue)


def celery_worker_args(worker: str, queue: str) -> list[str]:
    return [
        "celery",
        "worker",
        "--celery-hostname",
        f"{worker}@%h",
        "--concurrency",
        "1",
        "--queues",
        queue,
        "--without-mingle",
        "--without-gossip",
    ]


def worker_env(c: Cluster, worker: str) -> dict[str, str]:
    """A worker's environment: its own log-server port and its name as the task hostname.

    Task instances record `hostname` from `[core] hostname_callable`; both workers run on this
    machine, so each gets a callable returning its own name, read from FINFLOW_IT_WORKER.
    """
    helper = c.home / "it_hostname.py"
    helper.write_text(
        "import os\n\n\ndef worker_name():\n    return os.environ['FINFLOW_IT_WORKER']\n"
    )
    path = os.pathsep.join(p for p in (str(c.home), c.env.get("PYTHONPATH", "")) if p)
    return c.env | {
        "FINFLOW_IT_WORKER": worker,
        "PYTHONPATH": path,
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "it_hostname.worker_name",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
    }


def _forget_queue(queue: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"*{queue}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
