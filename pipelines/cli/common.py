"""What every command shares: errors a person can act on, the warehouse session, output formats.

Exit codes: 0 success; 1 a problem with the data, the warehouse, a name or a query (the message
says what to do); 2 a usage error (click's own: a missing argument, a bad option).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import click
import duckdb
import polars as pl

from pipelines.cli.layout import render_table, terminal_width
from pipelines.settings import SettingError, get_settings
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
        except SettingError as error:  # an environment variable set wrong: the user's to fix
            raise UserError(str(error)) from None
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


def render(
    frame: pl.DataFrame, output_format: str, width: int | None | Literal["terminal"] = "terminal"
) -> str:
    """A table for people (a row count below it) fitting width columns ("terminal": the
    terminal's when stdout is one, else no limit; None: no limit), or CSV / JSON for scripts.
    How a table fits: pipelines/cli/layout.py."""
    if output_format == "csv":
        # CSV has no lists or structs: such a cell is written as its JSON text.
        nested = [name for name, dtype in frame.schema.items() if dtype.is_nested()]
        flat = frame.with_columns(
            pl.col(name).map_elements(_json_text, return_dtype=pl.String) for name in nested
        )
        return flat.write_csv()
    if output_format == "json":
        return frame.write_json() + "\n"
    return render_table(frame, terminal_width() if width == "terminal" else width)
