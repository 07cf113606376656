"""`sovai quarantine`: the refused market files that wait, and releasing them on purpose."""

from __future__ import annotations

import click

from pipelines.cli.common import UserError
from pipelines.settings import get_settings


@click.group(invoke_without_command=True)
@click.pass_context
def quarantine(context: click.Context) -> None:
    """List the refused market files waiting in data/quarantine/.

    A refused file keeps the landing check failed, and `sovai refresh` exiting 1, until it is
    fixed and landed again under the same name, or released with `sovai quarantine release`.

    \b
    Example:
      sovai quarantine
      sovai quarantine release shares-2026-03.csv
    """
    if context.invoked_subcommand is not None:
        return
    from models.validation import display_path
    from pipelines.ingest.quarantine import pending

    waiting = pending(get_settings())
    if not waiting:
        click.echo("No refused market file waits in quarantine.")
        return
    click.echo(f"{len(waiting)} refused market file(s) wait in quarantine:")
    for item in waiting:
        report = display_path(item.errors)
        click.echo(f"  {item.name}: {item.problem_count} problem(s), see {report}")
    click.echo(
        "Fix a file and drop it into the landing folder again under the same name, or release "
        "it with `sovai quarantine release NAME` (or --all)."
    )


@quarantine.command()
@click.argument("names", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Release every waiting file.")
def release(names: tuple[str, ...], everything: bool) -> None:
    """Release refused files: they stop failing the landing check, and are kept, with their
    error reports, in data/quarantine/released/. Nothing is deleted and nothing goes in.

    \b
    Example:
      sovai quarantine release shares-2026-03.csv
    """
    from models.validation import display_path
    from pipelines.ingest.quarantine import NotQuarantinedError
    from pipelines.ingest.quarantine import release as release_files

    if bool(names) == everything:
        raise click.UsageError("Name the files to release, or give --all (not both).")
    try:
        released = release_files(get_settings(), None if everything else list(names))
    except NotQuarantinedError as error:
        raise UserError(str(error)) from None
    if not released:
        click.echo("No refused market file waits in quarantine.")
    for item, target in released:
        click.echo(f"Released {item.name}: kept as {display_path(target)}.")
