"""Runs whose process died: marked failed in the run history, not left STARTED for ever.

A run killed with SIGKILL (or by a power cut) never reports its end, and Dagster shows it as
running for ever: the default run launcher has no worker health check, so Dagster's run
monitoring cannot see it either. So every run is tagged with the host, process id and process
start time executing it (by the CLI when it starts the run, else by the warehouse resource when
the run worker sets it up), and the next `sovai` run or landing-sensor tick reports failed each
run of this host whose process is gone, telling it apart from one still going in another
terminal (and from a new process that reused the pid).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import dagster as dg

HOST_TAG = "sovai/host"
PID_TAG = "sovai/pid"
STARTED_TAG = "sovai/process_started"


def process_tags() -> dict[str, str]:
    """Tags that identify this process, for the run it starts."""
    return {
        HOST_TAG: socket.gethostname(),
        PID_TAG: str(os.getpid()),
        STARTED_TAG: _start_time(os.getpid()) or "",
    }


def tag_run_with_process(instance: dg.DagsterInstance, run_id: str) -> None:
    """Tag a run with the process executing it, unless its launcher (the CLI) already did."""
    run = instance.get_run_by_id(run_id)
    if run is not None and PID_TAG not in run.tags:
        instance.add_run_tags(run_id, process_tags())


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), or None if there is none:
    with the pid it names one process, even after the pid is reused."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The second field (the command) may hold spaces and brackets: split after its last ')'.
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


def _alive(pid: int, started: str) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # a process of another user holds the pid: not ours to judge
    now = _start_time(pid)
    return not started or now is None or now == started


def mark_abandoned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Report failed every run of this host left STARTED by a process that is gone; returns
    their run ids."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING],
            tags={HOST_TAG: socket.gethostname()},
        )
    )
    marked = []
    for record in records:
        run = record.dagster_run
        try:
            pid = int(run.tags.get(PID_TAG, ""))
        except ValueError:
            continue
        if _alive(pid, run.tags.get(STARTED_TAG, "")):
            continue
        instance.report_run_failed(
            run,
            message=(
                f"The process running this run (pid {pid}) ended without finishing it: killed or "
                "crashed. Each publish is whole; the next run recomputes what this one did not "
                "finish."
            ),
        )
        marked.append(run.run_id)
    return marked
