"""pandera validation as asset checks: one blocking check per raw table, one on landing files.

Seeds are validated together and nothing is published if any file is bad, so a seed problem
fails the run; the checks make the UI show, on each raw asset, which of its files broke which
rule (a table of file, row, column, rule, value), not only a step failure's text. Landing files
are validated one by one: a refused file is quarantined and the others go in, so that check fails
(ERROR) without blocking, and stays failed until the file is fixed or released.
"""

from collections.abc import Iterable, Sequence
from pathlib import Path, PurePath

import dagster as dg

from models.validation import Problem, SeedValidationError, display_path
from pipelines.ingest.market_refresh import IngestOutcome
from pipelines.ingest.quarantine import QuarantinedFile, pending
from pipelines.settings import Settings

SEED_CHECK = "pandera_contract"
LANDING_CHECK = "landing_files_valid"
PROBLEM_COLUMNS = ("file", "row", "column", "rule", "value")
LISTED_PER_FILE = 5
TABLE_ROWS = 200

# Which seed files feed which raw table (as pipelines.ingest.seeds reads them).
SEED_SOURCES: dict[str, str] = {
    "platforms": "platforms.csv",
    "assumptions": "assumptions.yaml",
    "vendors": "vendors.yaml",
    "market_shares": "market_shares/",
    "strategies": "strategy/",
    "switching_costs": "strategy/",
    "strategy_benefits": "strategy/",
    "infrastructure_components": "infrastructure/",
    "policy_instruments": "policy/",
    "export_control_thresholds": "policy/",
    "ai_act_risk_categories": "policy/",
    "policy_effectiveness_inputs": "policy/",
    "scenarios": "scenarios/",
}


def problems_table(problems: Sequence[Problem]) -> dg.TableMetadataValue:
    return dg.MetadataValue.table(
        records=[dg.TableRecord(problem.as_dict()) for problem in problems[:TABLE_ROWS]],
        schema=dg.TableSchema(columns=[dg.TableColumn(name, "string") for name in PROBLEM_COLUMNS]),
    )


def seed_check_specs(keys: Iterable[dg.AssetKey]) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            SEED_CHECK,
            asset=key,
            blocking=True,
            description="The seed files of this table meet its pandera model (every file, row, "
            "column and rule); a failure stops the run before anything is published.",
        )
        for key in keys
    ]


def _table_of(problem: Problem) -> set[str]:
    path = "/" + PurePath(problem.file).as_posix()
    return {
        table
        for table, source in SEED_SOURCES.items()
        if (f"/{source}" in path if source.endswith("/") else path.endswith(f"/{source}"))
    }


def seed_check_results(
    keys: Iterable[dg.AssetKey], error: SeedValidationError | None
) -> list[dg.AssetCheckResult]:
    """Passed for every table when the seeds are valid; otherwise each table fails with its own
    files' problems (a problem no table published here owns fails them all)."""
    results = []
    problems = error.problems if error else []
    tables = {key.path[-1] for key in keys}
    shared = [p for p in problems if not (_table_of(p) & tables)]
    for key in keys:
        own = [p for p in problems if key.path[-1] in _table_of(p)] + shared
        if own:
            results.append(
                dg.AssetCheckResult(
                    asset_key=key,
                    check_name=SEED_CHECK,
                    passed=False,
                    description=f"{len(own)} problem(s) in the seed files of "
                    f"{'.'.join(key.path)}; nothing was published. First: {own[0]}",
                    metadata={"failures": problems_table(own), "problem_count": len(own)},
                )
            )
        else:
            blocked = f" Nothing was published: other seed files have {len(problems)} problem(s)."
            results.append(
                dg.AssetCheckResult(
                    asset_key=key,
                    check_name=SEED_CHECK,
                    passed=True,
                    description="The seed files of this table meet its model."
                    + (blocked if problems else ""),
                    metadata={"problem_count": 0},
                )
            )
    return results


def landing_check_spec(key: dg.AssetKey) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        LANDING_CHECK,
        asset=key,
        description="No market file waits in data/quarantine/: each new file met the share "
        "contract (pandera MarketShareModel) and the record rules, and every refused one was "
        "fixed and landed again or released (`sovai quarantine release`). A refused file fails "
        "this check until then; the good files still go in.",
    )


def rejection_paragraph(
    name: str, problems: Sequence[Problem], quarantine: Path, stored: str | None = None
) -> str:
    """One paragraph telling a user what was wrong with a refused file and where it went
    (stored: its name in quarantine, when too long a name was shortened)."""
    listed = "; ".join(
        f"{p.row}, column '{p.column}': {p.rule}"
        + ("" if p.value is None else f" (found {p.value!r})")
        for p in problems[:LISTED_PER_FILE]
    )
    more = (
        f"; and {len(problems) - LISTED_PER_FILE} more" if len(problems) > LISTED_PER_FILE else ""
    )
    kept = stored or name
    renamed = f" as {kept}" if kept != name else ""
    return (
        f"Refused market file '{name}': {listed}{more}. It was moved, unchanged, to "
        f"{quarantine}/{renamed} beside {kept}.errors.json, which lists every problem; fix it "
        "and drop it into the landing folder again, or release it with `sovai quarantine "
        f"release {name}`. The other files went in."
    )


def waiting_paragraph(waiting: Sequence[QuarantinedFile]) -> str:
    listed = "; ".join(
        f"{display_path(item.path)} ({item.problem_count} problem(s) in "
        f"{display_path(item.errors)})"
        for item in waiting
    )
    return (
        f"{len(waiting)} refused market file(s) from earlier runs still wait in quarantine: "
        f"{listed}. Fix each and land it again under the same name, or release it with "
        "`sovai quarantine release NAME`."
    )


def landing_check_result(
    key: dg.AssetKey, outcome: IngestOutcome, settings: Settings
) -> dg.AssetCheckResult:
    """Failed (ERROR) while any refused file waits in quarantine, from this run or an earlier
    one: an operator who looks the next morning must not see green. Not blocking: the good files
    of the same run go in and downstream tables follow them."""
    accepted = [file.path.name for file, _ in outcome.accepted]
    rejected = [(file.path.name, problems) for file, problems in outcome.rejected]
    quarantine = Path(display_path(settings.quarantine_dir))
    waiting = pending(settings)
    this_run = {file.sha256 for file, _ in outcome.rejected}
    earlier = [item for item in waiting if item.sha256 not in this_run]
    counts = {
        "files_accepted": len(accepted),
        "files_refused": len(rejected),
        "files_waiting_in_quarantine": len(waiting),
    }
    if not rejected and not earlier:
        return dg.AssetCheckResult(
            asset_key=key,
            check_name=LANDING_CHECK,
            passed=True,
            description=f"{len(accepted)} new market file(s), all valid; none in quarantine.",
            metadata=counts,
        )
    problems = [problem for _, listed in rejected for problem in listed]
    paragraphs = [
        rejection_paragraph(name, listed, quarantine, outcome.quarantined_as.get(name))
        for name, listed in rejected
    ]
    if earlier:
        paragraphs.append(waiting_paragraph(earlier))
    metadata: dict = {
        **counts,
        "quarantined_files": [display_path(item.path) for item in waiting],
    }
    if problems:
        metadata["failures"] = problems_table(problems)
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=LANDING_CHECK,
        passed=False,
        severity=dg.AssetCheckSeverity.ERROR,
        description="\n\n".join(paragraphs),
        metadata=metadata,
    )
