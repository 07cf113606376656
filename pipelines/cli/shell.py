"""`sovai shell` (and `make sql`): an interactive SQL shell that can only read the warehouse.

Why not the duckdb shell: its dot commands are the shell's own and outside DuckDB's settings.
`.shell`, `.output`, `.open` and `.read` are stopped by its safe mode, but `.pager 'cmd'` still
runs any program (checked on duckdb-cli 1.5.6), and `-safe` itself fails to start. This shell runs
SQL on the sealed session and has a handful of dot commands of its own, none of which touches a
file or starts a program.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import TextIO

import click
import duckdb

from pipelines.cli.common import FORMATS, UserError, echo_frame, format_option, warehouse
from pipelines.cli.explore import TABLES, files_option, timeout_option
from pipelines.cli.querying import register_files, run_query

HELP = """\
Read-only SQL on the warehouse. End each statement with a semicolon.
  .tables              the tables, their versions and descriptions
  .schema TABLE        the columns of a table (e.g. .schema analytics.platform_efficiency)
  .format [FORMAT]     show or set the output format: table, csv or json (also .mode)
  .timeout [SECONDS]   show or set the time limit of a query (0: none)
  .help                this text
  .quit                leave (or Ctrl-D)
Queries cannot write, copy, export or attach files, read other files, or change settings."""


class Shell:
    def __init__(
        self, con: duckdb.DuckDBPyConnection, timeout_seconds: float, output_format: str
    ) -> None:
        self.con = con
        self.timeout_seconds = timeout_seconds
        self.output_format = output_format
        self.failures = 0

    def run_sql(self, text: str) -> None:
        try:
            statements = [statement.query for statement in duckdb.extract_statements(text)]
        except duckdb.Error as error:
            self._error(str(error))
            return
        for statement in statements:
            try:
                echo_frame(
                    run_query(self.con, statement, "the query", self.timeout_seconds),
                    self.output_format,
                )
            except UserError as error:
                self._error(error.message)
            except KeyboardInterrupt:
                self._error("interrupted")

    def dot_command(self, line: str) -> bool:
        """Runs one dot command; False when the shell should end."""
        name, _, argument = line.strip().partition(" ")
        argument = argument.strip()
        if name in (".quit", ".exit"):
            return False
        if name == ".help":
            click.echo(HELP)
        elif name == ".tables":
            self.run_sql(TABLES)
        elif name == ".schema" and argument:
            literal = "'" + argument.replace("'", "''") + "'"
            self.run_sql(
                "select column_name, data_type, comment from duckdb_columns() "
                f"where schema_name || '.' || table_name = {literal} or table_name = {literal} "
                "order by schema_name, table_name, column_index"
            )
        elif name in (".format", ".mode"):  # .mode as the duckdb shell calls it
            self._set_format({"box": "table", "duckbox": "table"}.get(argument, argument))
        elif name == ".timeout":
            self._set_timeout(argument)
        else:
            self._error(
                f"{name} is not available: this shell reads the warehouse and nothing else (it "
                "runs no programs and opens no files). .help lists what it has."
            )
        return True

    def _set_format(self, argument: str) -> None:
        if not argument:
            click.echo(self.output_format)
        elif argument in FORMATS:
            self.output_format = argument
        else:
            self._error(f".format {argument}: choose one of {', '.join(FORMATS)}")

    def _set_timeout(self, argument: str) -> None:
        if not argument:
            click.echo(f"{self.timeout_seconds:g} s")
            return
        try:
            seconds = float(argument)
        except ValueError:
            seconds = -1.0
        if seconds < 0:
            self._error(f".timeout {argument}: give a number of seconds (0: no limit)")
        else:
            self.timeout_seconds = seconds

    def _error(self, message: str) -> None:
        self.failures += 1
        click.echo(f"Error: {message}", err=True)


def read_eval_print(session: Shell, next_line: Callable[[str], str | None]) -> None:
    """A dot command is one line; SQL runs up to a line ending with ';'. next_line(prompt)
    gives the next line or None at the end; Ctrl-C drops the statement typed so far."""
    pending: list[str] = []
    while True:
        try:
            line = next_line("   ...> " if pending else "sovai> ")
        except KeyboardInterrupt:
            click.echo("^C (the statement typed so far is dropped)", err=True)
            pending = []
            continue
        if line is None:
            break
        if not pending and line.lstrip().startswith("."):
            if not session.dot_command(line):
                return
            continue
        if not pending and not line.strip():
            continue
        pending.append(line)
        if line.rstrip().endswith(";"):
            session.run_sql("\n".join(pending))
            pending = []
    if any(part.strip() for part in pending):
        session.run_sql("\n".join(pending))


def _terminal_line(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        click.echo("", err=True)
        return None


def _piped_lines(stream: TextIO) -> Callable[[str], str | None]:
    lines = iter(stream)

    def next_line(_prompt: str) -> str | None:
        line = next(lines, None)
        return None if line is None else line.rstrip("\n")

    return next_line


@click.command()
@timeout_option
@format_option
@files_option
def shell(timeout_seconds: float, output_format: str, files: tuple[str, ...]) -> None:
    """An interactive read-only SQL shell on the warehouse (what `make sql` opens).

    Statements end with a semicolon; .help lists the dot commands. Reading from a pipe works
    too, and exits 1 if any statement failed.

    \b
    Example:
      sovai shell
      echo "select * from analytics.vendor_risk;" | sovai shell --format csv
    """
    interactive = sys.stdin.isatty()
    with warehouse() as con:
        register_files(con, files)
        session = Shell(con, timeout_seconds, output_format)
        if interactive:
            with contextlib.suppress(ImportError):
                import readline  # noqa: F401  (line editing and history for input())
            click.echo("Read-only SQL on the warehouse. .help for help, .quit to leave.", err=True)
        read_eval_print(session, _terminal_line if interactive else _piped_lines(sys.stdin))
    if session.failures and not interactive:
        raise SystemExit(1)
