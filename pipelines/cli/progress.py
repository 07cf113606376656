"""A progress bar over the assets of a Dagster run, for people watching `sovai run` in a terminal.

execute_in_process blocks until the run ends, so a thread reads the run's event log meanwhile:
the run first plans its assets (the total), then materializes them one by one. The bar is only
decoration: it goes to stderr, only to a terminal, and anything it fails at is ignored.
"""

from __future__ import annotations

import threading
from types import TracebackType

import dagster as dg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

EVENTS = {
    dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
    dg.DagsterEventType.ASSET_MATERIALIZATION,
    dg.DagsterEventType.STEP_START,
}


class RunProgress:
    def __init__(
        self,
        instance: dg.DagsterInstance,
        run_id: str,
        label: str,
        console: Console | None = None,
        enabled: bool = True,
        interval: float = 0.1,
    ):
        self.instance = instance
        self.run_id = run_id
        self.label = label
        self.console = console or Console(stderr=True)
        self.enabled = enabled and self.console.is_terminal
        self.interval = interval
        self.planned: set[str] = set()
        self.done: set[str] = set()
        self.current = ""
        self._cursor: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, daemon=True)

    def __enter__(self) -> RunProgress:
        if self.enabled:
            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("assets"),
                TimeElapsedColumn(),
                TextColumn("{task.fields[current]}"),
                console=self.console,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(self.label, total=None, current="starting")
            self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.enabled:
            self._stop.set()
            self._thread.join()
            self._read()
            self._progress.stop()

    def _follow(self) -> None:
        while not self._stop.wait(self.interval):
            self._read()

    def _read(self) -> None:
        try:
            connection = self.instance.get_records_for_run(
                self.run_id, cursor=self._cursor, of_type=EVENTS
            )
        except Exception:  # the run may not be stored yet; the bar must never fail a run
            return
        self._cursor = connection.cursor
        for record in connection.records:
            event = record.event_log_entry.dagster_event
            if event is None:
                continue
            if event.event_type == dg.DagsterEventType.STEP_START:
                self.current = event.step_key or ""
            elif event.asset_key is not None:
                key = event.asset_key.to_user_string()
                target = (
                    self.planned
                    if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED
                    else self.done
                )
                target.add(key)
        self._progress.update(
            self._task,
            total=len(self.planned) or None,
            completed=len(self.done),
            current=self.current,
        )
