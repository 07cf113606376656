"""`sovai`: validate seeds, build the warehouse, and query it and its history from a shell.

One module per command group: build (validate, run, refresh, check, restore), quarantine,
explore (sql, query, tables), shell and history (versions, diff); common holds the error
handling and output formats they share, querying the read-only query rules.
"""

from __future__ import annotations

import click

from pipelines.cli.build import check, refresh, restore, run, validate
from pipelines.cli.common import SovaiGroup
from pipelines.cli.explore import query, sql, tables
from pipelines.cli.history import diff, versions
from pipelines.cli.quarantine import quarantine
from pipelines.cli.shell import shell


@click.group(cls=SovaiGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Sovereign AI Warehouse: validated, versioned analytics on AI infrastructure.

    Exit codes: 0 success, 1 a problem with the data, the warehouse or a name (the message says
    what to do), 2 a usage error.

    \b
    Examples:
      sovai run
      sovai query lowest-co2-platform
      sovai sql "select * from analytics.market_concentration"
      sovai versions platform_efficiency
      sovai diff policy_instruments 1 2
    """


for command in (
    validate,
    run,
    refresh,
    check,
    quarantine,
    restore,
    sql,
    shell,
    query,
    tables,
    versions,
    diff,
):
    main.add_command(command)
