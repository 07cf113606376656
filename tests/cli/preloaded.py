"""`sovai` commands for the tests, started from a process that has already imported `sovai`'s
libraries (tests/cli/zygote.py), as a fork of it.

Why: a `sovai` process spends 2 to 3 CPU-seconds importing Dagster, pandera, Polars, DuckDB and
matplotlib before it does anything, and the suite starts well over a hundred of them on 2 cores
(docs/benchmarks.md, "The test suite"). A forked command is still a process of its own: its own
arguments, environment, working folder, files for stdout and stderr, exit code, and the
interpreter's own exit; only the imports are shared, and nothing has run in the launcher but
imports. What the user's path costs is measured with the real `sovai` script
(scripts/bench_run_cpu.py, scripts/bench_cli_startup.py), and the tests about a process's start
(its imports, its warnings, the instances it loads: tests/cli/test_startup.py,
tests/cli/test_build_and_sql.py) and those that signal or race processes start the script itself.

A command runs as a real `sovai` process instead when the launcher cannot serve it: a request made
while another is running (tests that start commands together must get them together), an
environment that differs from the launcher's in what the interpreter reads as it starts (PYTHON*,
locale, time zone), a launcher whose imports printed anything, or SOVAI_TEST_REAL_PROCESSES=1.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ZYGOTE = Path(__file__).with_name("zygote.py")
READ_AT_START = ("PYTHON", "LC_", "LANG", "LANGUAGE", "TZ", "MPL", "MALLOC")


class Launcher:
    def __init__(self, real_processes_asked: bool = True) -> None:
        """real_processes_asked=False: serve even under SOVAI_TEST_REAL_PROCESSES=1 (its tests)."""
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._env: dict[str, str] = {}
        self._pending = b""  # what has been read of the launcher's answers, not yet taken
        self.unavailable: str | None = None
        if real_processes_asked and os.environ.get("SOVAI_TEST_REAL_PROCESSES") == "1":
            self.unavailable = "SOVAI_TEST_REAL_PROCESSES=1"

    def _start(self) -> None:
        # A second try when the first printed: a first import on a new machine may say so once
        # (matplotlib building its font cache), which no later process repeats.
        why = ""
        for attempt in range(2):
            self._env = dict(os.environ)
            self._pending = b""
            self._process = subprocess.Popen(
                [sys.executable, str(ZYGOTE)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=PROJECT_ROOT,
                env=self._env,
            )
            if attempt == 0:
                atexit.register(self.stop)
            try:
                ready = self._read(timeout=300)
            except (TimeoutError, RuntimeError) as error:
                ready = {"ready": False, "why": f"it did not start: {error!r}"}
            if ready.get("ready"):
                return
            why = ready.get("why", "")
            self.stop()
        self.unavailable = f"the launcher's imports printed: {why}"

    def _read(self, timeout: float | None) -> dict:
        """The launcher's next answer (a line of JSON), within timeout seconds."""
        assert self._process is not None and self._process.stdout is not None
        fd = self._process.stdout.fileno()
        deadline = None if timeout is None else time.monotonic() + timeout
        # Lines are cut here, not by a buffered reader: an answer already read into a reader's
        # buffer would leave select() waiting on an empty pipe for the rest of the timeout.
        while b"\n" not in self._pending:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            readable, _, _ = select.select([fd], [], [], left)
            if not readable:
                raise TimeoutError
            chunk = os.read(fd, 65536)
            if not chunk:
                raise RuntimeError("the sovai launcher ended")
            self._pending += chunk
        line, self._pending = self._pending.split(b"\n", 1)
        return json.loads(line)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._process = None

    def _serves(self, env: dict[str, str]) -> bool:
        def at_start(variables: dict[str, str]) -> dict[str, str]:
            return {k: v for k, v in variables.items() if k.startswith(READ_AT_START)}

        return at_start(env) == at_start(self._env)

    def run(
        self, argv: list[str], env: dict[str, str], cwd: Path, timeout: float
    ) -> subprocess.CompletedProcess | None:
        """The command's outcome, or None when it should run as a process of its own."""
        if self.unavailable or not self._lock.acquire(blocking=False):
            return None
        try:
            if self._process is None or self._process.poll() is not None:
                self._start()
                if self.unavailable:
                    return None
            if not self._serves(env):
                return None
            return self._run(argv, env, cwd, timeout)
        finally:
            self._lock.release()

    def _run(self, argv, env, cwd, timeout) -> subprocess.CompletedProcess:
        with tempfile.TemporaryDirectory(prefix="sovai-") as folder:
            out, err = Path(folder) / "stdout", Path(folder) / "stderr"
            request = {"argv": argv, "env": env, "cwd": str(cwd), "stdout": str(out)}
            self._process.stdin.write(json.dumps(request | {"stderr": str(err)}).encode() + b"\n")
            self._process.stdin.flush()
            pid = self._read(timeout=60)["pid"]
            try:
                returncode = self._read(timeout=timeout)["returncode"]
            except TimeoutError:
                os.kill(pid, signal.SIGKILL)
                self._read(timeout=60)
                raise subprocess.TimeoutExpired(
                    argv, timeout, out.read_text(errors="replace"), err.read_text(errors="replace")
                ) from None
            return subprocess.CompletedProcess(
                argv, returncode, out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8")
            )


LAUNCHER = Launcher()
