"""A `sovai` launcher for the tests: imports what `sovai` imports once, then forks a process per
command (tests/cli/preloaded.py starts it and explains why).

Protocol, one JSON object per line: the client writes {"argv", "env", "cwd", "stdout", "stderr"}
(argv[0] the `sovai` script; stdout and stderr file paths); the launcher forks, answers {"pid"},
and once the command has ended, {"returncode"} (negative for a signal, as subprocess says). After
its imports it first answers {"ready": true}, or {"ready": false, "why": ...} when importing
printed anything: a warning printed at import belongs in each command's own output, so a
launcher that would hide one is not used.
"""

from __future__ import annotations

import ast
import gc
import io
import json
import os
import sys
import traceback
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Everything `sovai run`, `refresh` and `check` import before they start work, except
# pipelines.definitions itself: importing it builds the Definitions from the environment
# (SOVAI_SEEDS_DIR, SOVAI_EXPECTATIONS), which is each command's own.
NOT_PRELOADED = {"pipelines.definitions"}


def modules_to_preload() -> list[str]:
    commands = (PROJECT_ROOT / "pipelines/cli").glob("*.py")
    names = [f"pipelines.cli.{path.stem}" for path in commands if path.stem != "__init__"]
    names.append("pipelines.cli")
    tree = ast.parse((PROJECT_ROOT / "pipelines/definitions.py").read_text(encoding="utf-8"))
    names += [node.module for node in tree.body if isinstance(node, ast.ImportFrom) and node.module]
    names += ["pipelines.instance", "pipelines.postgres_storage", "pipelines.stale_assets"]
    return sorted({name for name in names if name not in NOT_PRELOADED and name != "__future__"})


def preload() -> str:
    """Import what a command would; what that printed, or a traceback, is returned."""
    printed = io.StringIO()
    try:
        with redirect_stdout(printed), redirect_stderr(printed):
            import warnings

            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("default")
                for name in modules_to_preload():
                    __import__(name)
                import matplotlib

                matplotlib.use("Agg")  # as pipelines/reports/charts.py does before pyplot
                import matplotlib.pyplot  # noqa: F401
            for warning in caught:
                printed.write(f"{warning.category.__name__}: {warning.message}\n")
    except Exception:
        printed.write(traceback.format_exc())
    if "pipelines.definitions" in sys.modules:
        printed.write("pipelines.definitions was imported by another module\n")
    return printed.getvalue()


def answer(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def child(request: dict) -> None:
    """In the forked process: become `sovai` with the request's arguments and environment."""
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    stdin = os.open(os.devnull, os.O_RDONLY)
    stdout = os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    stderr = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    for source, target in ((stdin, 0), (stdout, 1), (stderr, 2)):
        os.dup2(source, target)
        os.close(source)
    sys.argv = list(request["argv"])
    sys.path[0] = str(Path(sys.argv[0]).parent)  # as for the script: its folder first
    from pipelines.cli import main

    sys.exit(main())  # unwinds to the interpreter's own exit: atexit handlers, flushing


def serve() -> None:
    printed = preload()
    if printed:
        answer({"ready": False, "why": printed[-4000:]})
        return
    # What the imports made is never garbage: moved out of the collector's sight, a command's
    # collections (and the one at its exit) do not walk it, and so do not touch, and copy, every
    # page the launcher shares with it (about a second per command otherwise).
    gc.freeze()
    answer({"ready": True})
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            child(request)  # never returns
        answer({"pid": pid})
        _, status = os.waitpid(pid, 0)
        answer({"returncode": os.waitstatus_to_exitcode(status)})


if __name__ == "__main__":
    serve()
