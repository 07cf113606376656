"""`make ui`: the command it runs, and what it prints while it serves the UI and runs an asset.

The UI is started through the Makefile itself (`make ui`, its install step taken as done) on a free
loopback port, with the project's dagster.yaml in a temporary DAGSTER_HOME (its storage paths moved
there) and a temporary warehouse, so it neither reads nor adds to the project's run history; and
with DAGSTER_HOME=deploy, against a real PostgreSQL server (tests/postgres.py).
"""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from pipelines.instance import home_config
from tests.postgres import deploy_home, postgres_url  # noqa: F401  (the fixture)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 60
RUN_TIMEOUT_S = 120
# A Python warning as the warnings module prints it: "path:line: SomeWarning: message"
PYTHON_WARNING = re.compile(r"\b[A-Z]\w*Warning: ")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def make(*args: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.Popen:
    # -o install: take the install step as done (this test runs inside that environment)
    return subprocess.Popen(
        ["make", "--no-print-directory", "-o", "install", *args],
        cwd=PROJECT_ROOT,
        env=env,
        **kwargs,
    )


def test_make_ui_runs_dg_dev_on_the_host_and_port_given():
    with make("-n", "ui", "HOST=127.0.0.9", "PORT=4321", stdout=subprocess.PIPE, text=True) as dry:
        commands = dry.stdout.read().splitlines()
    assert dry.returncode == 0
    (command,) = commands
    assert command.endswith("/.venv/bin/dg dev -h 127.0.0.9 -p 4321")


def test_make_ui_dagster_home_deploy_takes_the_folder_from_the_project_root():
    with make("-n", "ui", "DAGSTER_HOME=deploy", stdout=subprocess.PIPE, text=True) as dry:
        (command,) = dry.stdout.read().splitlines()
    assert command.startswith(f"DAGSTER_HOME='{PROJECT_ROOT / 'deploy'}' ")
    assert "/.venv/bin/dg dev " in command
    assert (PROJECT_ROOT / "deploy" / "dagster.yaml").is_file()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def graphql(base: str, query: str, variables: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"{base}/graphql",
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.loads(response.read())
    assert "errors" not in body, body["errors"]
    return body["data"]


def temporary_home(tmp_path: Path) -> Path:
    """The project's dagster.yaml with its storage in tmp_path (its paths are relative to the
    working directory, which `make ui` sets to the project root)."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(home_config(home))
    return home


def launch_one_asset(base: str, key: list[str]) -> str:
    (location,) = graphql(
        base, "{ workspaceOrError { ... on Workspace { locationEntries { name } } } }"
    )["workspaceOrError"]["locationEntries"]
    launched = graphql(
        base,
        """mutation($params: ExecutionParams!) {
            launchPipelineExecution(executionParams: $params) { __typename
                ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }""",
        {
            "params": {
                "selector": {
                    "repositoryLocationName": location["name"],
                    "repositoryName": "__repository__",
                    "pipelineName": "__ASSET_JOB",
                    "assetSelection": [{"path": key}],
                },
            }
        },
    )["launchPipelineExecution"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    return launched["run"]["runId"]


def wait_for_run(base: str, run_id: str) -> str:
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while True:
        status = graphql(
            base,
            "query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }",
            {"id": run_id},
        )["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            return status
        assert time.monotonic() < deadline, f"run {run_id} still {status}"
        time.sleep(0.5)


@contextmanager
def serving(tmp_path: Path, home: Path, env: dict[str, str]) -> Iterator[str]:
    """`make ui` on a free loopback port with DAGSTER_HOME=home; its output in tmp_path/make-ui.log.
    Yields the UI's base URL once it answers; stops it as Ctrl-C does."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "make-ui.log"
    with open(log_path, "wb") as log:
        server = make(
            "ui",
            f"PORT={port}",
            "HOST=127.0.0.1",
            f"DAGSTER_HOME={home}",
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # one process group: make, dagster dev and its services
            # Ctrl-C in a terminal stops `make ui`; Dagster maps SIGTERM to SIGINT's handler, so a
            # SIGINT ignored by whatever started this test would leave both without effect
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        try:
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                try:
                    urllib.request.urlopen(f"{base}/server_info", timeout=5)
                    break
                except OSError:
                    output = log_path.read_text(errors="replace")
                    assert server.poll() is None, f"make ui ended:\n{output[-3000:]}"
                    assert time.monotonic() < deadline, (
                        f"make ui did not come up:\n{output[-3000:]}"
                    )
                    time.sleep(0.5)
            yield base
        finally:
            os.killpg(server.pid, signal.SIGINT)  # as Ctrl-C does
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def private_paths(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SOVAI_WAREHOUSE": str(tmp_path / "warehouse" / "warehouse.duckdb"),
        "SOVAI_LANDING_DIR": str(tmp_path / "landing"),
    }


def test_make_ui_serves_the_ui_and_prints_a_run_without_warnings_or_debug_lines(tmp_path):
    with serving(tmp_path, temporary_home(tmp_path), private_paths(tmp_path)) as base:
        run_id = launch_one_asset(base, ["raw", "platforms"])
        assert wait_for_run(base, run_id) == "SUCCESS"
        # The run's events are all in the event log (the UI shows them), DEBUG ones included
        events = graphql(
            base,
            """query($id: ID!) { logsForRun(runId: $id) { ... on EventConnection {
                events { __typename ... on MessageEvent { level } } } } }""",
            {"id": run_id},
        )["logsForRun"]["events"]
        assert "ExecutionStepStartEvent" in {event["__typename"] for event in events}
        assert "DEBUG" in {event.get("level") for event in events}

    log_path = tmp_path / "make-ui.log"
    lines = ANSI.sub("", log_path.read_text(errors="replace")).splitlines()
    assert any(run_id in line and " - INFO - " in line for line in lines), "no run output seen"
    assert not [line for line in lines if PYTHON_WARNING.search(line)]
    assert not [line for line in lines if " - DEBUG - " in line]
    # Dagster's own warnings: none, but the one this test causes by keeping its DAGSTER_HOME
    # apart from the dagster.yaml in the working directory
    assert not [
        line
        for line in lines
        if " - WARNING - " in line and "your DAGSTER_HOME environment variable is set" not in line
    ]


def test_make_ui_with_the_deploy_instance_keeps_its_runs_in_postgres(
    tmp_path,
    postgres_url,  # noqa: F811  (the fixture)
):
    """`DAGSTER_POSTGRES_URL=postgresql://... make ui DAGSTER_HOME=deploy`, as the README says:
    deploy/dagster.yaml (its local folders moved under tmp_path) against a real PostgreSQL server,
    a plain postgresql:// URL as a user would give it. A run launched from the UI waits in the
    queue, the daemon `make ui` starts beside the webserver runs it, and PostgreSQL holds it."""
    env = private_paths(tmp_path) | {"DAGSTER_POSTGRES_URL": postgres_url}
    with serving(tmp_path, deploy_home(tmp_path), env) as base:
        run_id = launch_one_asset(base, ["raw", "platforms"])
        assert wait_for_run(base, run_id) == "SUCCESS"

    with psycopg.connect(postgres_url) as connection:
        stored = connection.execute(
            "select pipeline_name, status from runs where run_id = %s", [run_id]
        ).fetchall()
        kinds = {
            kind
            for (kind,) in connection.execute(
                "select distinct dagster_event_type from event_logs where run_id = %s", [run_id]
            ).fetchall()
        }
    assert stored == [("__ASSET_JOB", "SUCCESS")]
    assert {"PIPELINE_ENQUEUED", "PIPELINE_START", "ASSET_MATERIALIZATION"} <= kinds
