"""One headless Chromium printing many pages, driven over the DevTools protocol on a pipe.

Starting Chromium costs more CPU than printing a small case pack, and ``--print-to-pdf``
starts one browser per file. `Browser` starts one and prints every page in its own tab:
``--remote-debugging-pipe`` makes Chromium read NUL-separated JSON commands on fd 3 and write
answers and events on fd 4, so nothing listens on a port and no new dependency is needed.

`Browser.print_pdf` asks for what ``--print-to-pdf --no-pdf-header-footer`` asks for (page
size and margins from the CSS ``@page`` rules, backgrounds, no header or footer, tagged), so
the bytes are the same as the command line's for the same build and fonts. Several threads
may print at once, each in its own tab; a reader thread hands each answer to its caller.
"""

from __future__ import annotations

import base64
import itertools
import json
import logging
import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from finflow.errors import FinflowError

log = logging.getLogger(__name__)

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
)
WHITE = {"r": 255, "g": 255, "b": 255, "a": 1}
"""Page background where the page sets none. The command line's ``--default-background-color``
switch is applied per tab instead: with it, Chromium 156 kills the renderer of a tab opened
over the protocol now and then ("rejected by interface blink.mojom.FrameWidgetHost")."""
PRINT_PARAMS = {
    "printBackground": True,
    "preferCSSPageSize": True,
    "displayHeaderFooter": False,
    "generateTaggedPDF": True,
}
"""What headless Chromium's ``--print-to-pdf --no-pdf-header-footer`` sends."""
START_TIMEOUT = 60.0
CLOSE_TIMEOUT = 10.0
STDERR_LINES = 3
"""Lines of Chromium's stderr quoted when it fails."""
_LOST = frozenset({"Inspector.detached", "Inspector.targetCrashed", "Target.detachedFromTarget"})
"""Events that mean a tab's page is gone (its renderer crashed or was closed)."""
_CMD_FD = 3
_EVENT_FD = 4
_READ_SIZE = 1 << 20


class RenderError(FinflowError):
    """Chromium is missing or failed to print a case pack."""


class Browser:
    """A headless Chromium on a DevTools pipe; use as a context manager.

    `timeout` bounds each call on the protocol (starting, loading a page, printing it).
    """

    def __init__(self, chromium: Path, timeout: float) -> None:
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._lock = threading.Condition()
        self._send_lock = threading.Lock()
        self._answers: dict[int, dict[str, Any]] = {}
        self._events: dict[str, list[dict[str, Any]]] = {}
        self._closed: str | None = None
        self._profile = tempfile.TemporaryDirectory(prefix="finflow-chromium-")
        self._stderr_path = Path(self._profile.name) / "stderr.log"
        cmd_read, cmd_write = os.pipe()
        event_read, event_write = os.pipe()

        def onto_fds_3_and_4() -> None:
            # In the child, before exec: dup first, so that one pipe end already sitting on
            # fd 3 or 4 is not overwritten by the other.
            cmd, event = os.dup(cmd_read), os.dup(event_write)
            os.dup2(cmd, _CMD_FD)
            os.dup2(event, _EVENT_FD)

        args = [
            str(chromium),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={self._profile.name}",
            "--remote-debugging-pipe",
        ]
        try:
            with self._stderr_path.open("wb") as stderr:
                # close_fds=False: fds 3 and 4 are made in the child, after Popen would close
                # them; the parent's own descriptors are not inheritable (PEP 446).
                self._process = subprocess.Popen(
                    args,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                    close_fds=False,
                    preexec_fn=onto_fds_3_and_4,
                )
        except OSError as exc:
            for fd in (cmd_read, cmd_write, event_read, event_write):
                os.close(fd)
            self._profile.cleanup()
            raise RenderError(f"Chromium did not start: {exc}") from exc
        os.close(cmd_read)
        os.close(event_write)
        self._commands: IO[bytes] = os.fdopen(cmd_write, "wb", buffering=0)
        self._reader = threading.Thread(
            target=self._read, args=(os.fdopen(event_read, "rb", buffering=0),), daemon=True
        )
        self._reader.start()
        try:
            self.call("Browser.getVersion", timeout=min(timeout, START_TIMEOUT))
        except RenderError:
            self.close()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Ask Chromium to quit, kill it if it does not, and remove its profile."""
        grace = min(self.timeout, CLOSE_TIMEOUT)
        if self._process.poll() is None:
            try:
                self._send("Browser.close", {}, None)
                self._process.wait(timeout=grace)
            except (RenderError, subprocess.TimeoutExpired):
                self._process.kill()
                self._process.wait()
        self._commands.close()
        self._reader.join(timeout=grace)
        self._profile.cleanup()

    def print_pdf(self, url: str) -> bytes:
        """The PDF of the page at `url`, printed in a tab of its own once the page has loaded."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        try:
            session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
                "sessionId"
            ]
            with self._lock:
                self._events[session] = []
            try:
                return self._print_in(session, url)
            finally:
                with self._lock:
                    del self._events[session]
        finally:
            self._call_quietly("Target.closeTarget", {"targetId": target})

    def _print_in(self, session: str, url: str) -> bytes:
        self.call("Emulation.setDefaultBackgroundColorOverride", {"color": WHITE}, session)
        # Laid out for print from the start, not for the screen first and then again for print:
        # the same PDF bytes, ~15% less of Chromium's CPU on the largest packs.
        self.call("Emulation.setEmulatedMedia", {"media": "print"}, session)
        self.call("Page.enable", {}, session)
        self.call("Page.setLifecycleEventsEnabled", {"enabled": True}, session)
        nav = self.call("Page.navigate", {"url": url}, session)
        if nav.get("errorText"):
            raise RenderError(f"Chromium could not open {url}: {nav['errorText']}")
        loader = nav.get("loaderId")
        self._wait_event(
            session,
            lambda e: (
                e.get("method") == "Page.lifecycleEvent"
                and e["params"].get("name") == "load"
                and e["params"].get("loaderId") == loader
            ),
            f"loading {url}",
        )
        printed = self.call("Page.printToPDF", PRINT_PARAMS, session)
        return base64.b64decode(printed["data"])

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        session: str | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send one command and return its result; RenderError on an error or a timeout."""
        number = self._send(method, params or {}, session)
        with self._lock:
            answer = self._wait(lambda: self._answers.pop(number, None), method, timeout)
        if "error" in answer:
            raise RenderError(f"{method} failed: {answer['error'].get('message', answer)}")
        result: dict[str, Any] = answer.get("result", {})
        return result

    def _send(self, method: str, params: dict[str, Any], session: str | None) -> int:
        """Write one command to Chromium; return its id."""
        number = next(self._ids)
        message: dict[str, Any] = {"id": number, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        with self._send_lock:
            try:
                self._commands.write(json.dumps(message).encode() + b"\0")
            except OSError as exc:
                # Chromium is gone: let the reader reach the end of its pipe, which records
                # Chromium's last words for the message.
                self._reader.join(timeout=min(self.timeout, CLOSE_TIMEOUT))
                raise RenderError(f"Chromium exited: {self._closed or exc}") from exc
        return number

    def _call_quietly(self, method: str, params: dict[str, Any]) -> None:
        try:
            self.call(method, params)
        except RenderError as exc:
            log.debug("%s: %s", method, exc)

    def _wait_event(
        self, session: str, wanted: Callable[[dict[str, Any]], bool], what: str
    ) -> dict[str, Any]:
        def seen() -> dict[str, Any] | None:
            events = self._events[session]
            for event in events:
                if event.get("method") in _LOST:
                    raise RenderError(f"Chromium tab lost while {what}: {event['params']}")
                if wanted(event):
                    return event
            events.clear()
            return None

        with self._lock:
            return self._wait(seen, what, None)

    def _wait(
        self, found: Callable[[], dict[str, Any] | None], what: str, timeout: float | None
    ) -> dict[str, Any]:
        """Wait (holding `_lock`) until `found` returns something; RenderError if never."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while (value := found()) is None:
            if self._closed:
                raise RenderError(f"Chromium exited while {what}: {self._closed}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise RenderError(f"Chromium timed out after {timeout:.0f} s {what}")
            self._lock.wait(left)
        return value

    def _read(self, pipe: IO[bytes]) -> None:
        """Reader thread: file each answer under its id and each event under its session."""
        pending = b""
        with pipe:
            while chunk := pipe.read(_READ_SIZE):
                *messages, pending = (pending + chunk).split(b"\0")
                with self._lock:
                    for raw in messages:
                        message = json.loads(raw)
                        # A tab's events carry its session; its detaching names it in params.
                        session = message.get("sessionId") or message.get("params", {}).get(
                            "sessionId"
                        )
                        if "id" in message:
                            self._answers[message["id"]] = message
                        elif session in self._events:
                            self._events[session].append(message)
                    self._lock.notify_all()
        with self._lock:
            self._closed = self._stderr_tail() or "the DevTools pipe closed"
            self._lock.notify_all()

    def _stderr_tail(self) -> str:
        try:
            lines = self._stderr_path.read_text("utf-8", "replace").strip().splitlines()
        except OSError:
            return ""
        return " | ".join(line for line in lines[-STDERR_LINES:] if "dbus" not in line)
