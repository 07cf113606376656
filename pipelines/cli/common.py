"""What every command shares: errors a person can act on, the warehouse session, output formats.

Exit codes: 0 success; 1 a problem with the data, the warehouse, a name or a query (the message
says what to do); 2 a usage error (click's own: a missing argument, a bad option).
"""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
import duckdb
import polars as pl

from pipelines.settings import get_settings
from pipelines.warehouse.connection import (
    WarehouseDamagedError,
    WarehouseNotFoundError,
    read_only,
)
from pipelines.warehouse.inspect import LookupProblem

FORMATS = ("table", "csv", "json")


class UserError(click.ClickException):
    """A problem the user can fix; click prints it as `Error: ...` and exits 1."""

    exit_code = 1


class SovaiGroup(click.Group):
    """Turns any unexpected exception into a short message: no traceback reaches a user."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except GeneratorExit:
            raise
        except KeyboardInterrupt:
            raise click.Abort() from None
        # BaseException, not Exception: a Rust panic inside polars (pyo3's PanicException)
        # derives from BaseException alone and would otherwise print its traceback.
        except BaseException as error:
            if os.environ.get("SOVAI_DEBUG"):
                raise
            raise UserError(
                f"unexpected {type(error).__name__}: {error}\n"
                "This is likely a bug in sovai rather than in your input. Run the command again "
                "with SOVAI_DEBUG=1 to see the traceback, and report it with the command you ran."
            ) from None


def format_option(func: Any) -> Any:
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="table for people, csv or json for scripts.",
    )(func)


@contextmanager
def warehouse() -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only session on the warehouse; a missing or unreadable file is a user error."""
    path = get_settings().warehouse_path
    session = read_only(path)
    try:
        con = session.__enter__()
    except (WarehouseNotFoundError, WarehouseDamagedError) as error:
        raise UserError(str(error)) from None
    except duckdb.Error as error:
        raise UserError(
            f"cannot open the warehouse at {path}: {error}\n"
            "Is it a file `sovai run` wrote? Set SOVAI_WAREHOUSE to one, or move this file aside "
            "and run `sovai run` to build a new warehouse."
        ) from None
    try:
        yield con
    except LookupProblem as error:
        raise UserError(str(error)) from None
    except duckdb.Error as error:
        raise UserError(
            f"the warehouse could not answer: {error}\n"
            "If it was built by an older sovai, run `sovai run` to bring it up to date."
        ) from None
    finally:
        session.__exit__(None, None, None)


def echo_frame(frame: pl.DataFrame, output_format: str) -> None:
    click.echo(render(frame, output_format), nl=output_format == "table")


def _json_text(value: object) -> str:
    return json.dumps(value.to_list() if isinstance(value, pl.Series) else value, default=str)


def render(frame: pl.DataFrame, output_format: str) -> str:
    """An aligned table for people (a row count below it), or CSV / JSON for scripts."""
    if output_format == "csv":
        # CSV has no lists or structs: such a cell is written as its JSON text.
        nested = [name for name, dtype in frame.schema.items() if dtype.is_nested()]
        flat = frame.with_columns(
            pl.col(name).map_elements(_json_text, return_dtype=pl.String) for name in nested
        )
        return flat.write_csv()
    if output_format == "json":
        return frame.write_json() + "\n"
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False)
    for name, dtype in frame.schema.items():
        table.add_column(name, justify="right" if dtype.is_numeric() else "left", no_wrap=True)
    for row in frame.iter_rows():
        table.add_row(*["NULL" if value is None else str(value) for value in row])
    buffer = io.StringIO()
    width = None if sys.stdout.isatty() else 100_000
    Console(file=buffer, width=width, force_terminal=False, color_system=None).print(table)
    rows = f"({frame.height} row{'s' if frame.height != 1 else ''})"
    return buffer.getvalue().rstrip("\n") + "\n" + rows
