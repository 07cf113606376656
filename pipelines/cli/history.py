"""A table's versions and what changed between two of them."""

from __future__ import annotations

import json

import click

from pipelines.cli.common import echo_frame, format_option, render, warehouse


@click.command()
@click.argument("table")
@format_option
def versions(table: str, output_format: str) -> None:
    """List every version of TABLE: when and by which run it was published, its rows, and how
    many rows it added and retired compared with the version before.

    TABLE is analytics.<name>, raw.<name>, or a bare analytics name.

    \b
    Example:
      sovai versions platform_efficiency
      sovai versions raw.vendors --format csv
    """
    from pipelines.warehouse.inspect import resolve_table, version_log

    with warehouse() as con:
        frame = version_log(con, resolve_table(con, table))
    echo_frame(frame, output_format)


@click.command()
@click.argument("table")
@click.argument("before", type=int)
@click.argument("after", type=int)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=50,
    show_default=True,
    help="Rows shown per part (added, removed, changed); 0 shows all. Counts are always full.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for people, json for scripts.",
)
def diff(table: str, before: int, after: int, limit: int, output_format: str) -> None:
    """Show the rows added, removed and changed in TABLE from version BEFORE to version AFTER.

    A changed row is one whose key columns (declared per table: `checks: keys:` in
    sql/<layer>/<name>.yml, or the seed's pandera model for raw tables) are in both versions
    with other values; each changed value is shown before and after. A table without declared
    keys shows added and removed rows only, and says so.

    \b
    Example:
      sovai versions policy_instruments      # find the version numbers
      sovai diff policy_instruments 1 2
      sovai diff raw.vendors 1 3 --format json
    """
    from pipelines.keys import declared_keys
    from pipelines.warehouse.inspect import diff_versions, resolve_table

    with warehouse() as con:
        ref = resolve_table(con, table)
        result = diff_versions(
            con, ref, before, after, declared_keys(ref.view), limit=limit or None
        )
    if output_format == "json":
        click.echo(json.dumps(_as_json(result), indent=2, default=str))
    else:
        _print_diff(result, limit)


def _as_json(result) -> dict:
    def rows(frame) -> list[dict]:
        return json.loads(frame.write_json()) if frame.width else []

    return {
        "table": result.table.view,
        "before": result.before,
        "after": result.after,
        "keys": list(result.keys),
        "note": result.note,
        "added": {"count": result.n_added, "rows": rows(result.added)},
        "removed": {"count": result.n_removed, "rows": rows(result.removed)},
        "changed": {"count": result.n_changed, "values": rows(result.changed)},
    }


def _print_diff(result, limit: int) -> None:
    keyed = f"keys: {', '.join(result.keys)}" if result.keys else "no keys"
    click.echo(f"{result.table.view}: version {result.before} -> {result.after} ({keyed})")
    summary = f"{_rows(result.n_added)} added, {_rows(result.n_removed)} removed"
    if result.keys:
        summary += f", {_rows(result.n_changed)} changed"
    click.echo(summary + ".")
    if result.note:
        click.echo(f"Note: {result.note}")
    parts = [
        ("Added", result.n_added, result.added),
        ("Removed", result.n_removed, result.removed),
        ("Changed", result.n_changed, result.changed),
    ]
    for title, count, frame in parts:
        if not count:
            continue
        shown = "" if not limit or count <= limit else f", the first {limit} (--limit 0 shows all)"
        what = "its changed values" if title == "Changed" else "the rows"
        click.echo(f"\n{title}: {_rows(count)}{shown}; {what}:")
        click.echo(render(frame, "table").rsplit("\n", 1)[0])


def _rows(count: int) -> str:
    return f"{count} row{'' if count == 1 else 's'}"
