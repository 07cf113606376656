"""pandera validation as asset checks: one blocking check per raw table, one on landing files.

Seeds are validated together and nothing is published if any file is bad, so a seed problem
fails the run; the checks make the UI show, on each raw asset, which of its files broke which
rule (a table of file, row, column, rule, value), not only a step failure's text. Landing files
are validated one by one: a refused file is quarantined and the others go in, so that check warns
rather than blocks.
"""

from collections.abc import Iterable, Sequence
from pathlib import Path, PurePath

import dagster as dg

from models.validation import Problem, SeedValidationError, display_path
from pipelines.ingest.market_refresh import IngestOutcome

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
        blocking=True,
        description="Each new market file meets the share contract (pandera MarketShareModel) "
        "and the record rules; refused files are quarantined (warns, the others go in).",
    )


def rejection_paragraph(name: str, problems: Sequence[Problem], quarantine: Path) -> str:
    """One paragraph telling a user what was wrong with a refused file and where it went."""
    listed = "; ".join(
        f"{p.row}, column '{p.column}': {p.rule}"
        + ("" if p.value is None else f" (found {p.value!r})")
        for p in problems[:LISTED_PER_FILE]
    )
    more = (
        f"; and {len(problems) - LISTED_PER_FILE} more" if len(problems) > LISTED_PER_FILE else ""
    )
    return (
        f"Refused market file '{name}': {listed}{more}. It was moved, unchanged, to "
        f"{quarantine}/ beside {name}.errors.json, which lists every problem; fix it and drop it "
        "into the landing folder again. The other files went in."
    )


def landing_check_result(
    key: dg.AssetKey, outcome: IngestOutcome, quarantine: Path
) -> dg.AssetCheckResult:
    accepted = [file.path.name for file, _ in outcome.accepted]
    rejected = [(file.path.name, problems) for file, problems in outcome.rejected]
    quarantine = Path(display_path(quarantine))
    if not rejected:
        return dg.AssetCheckResult(
            asset_key=key,
            check_name=LANDING_CHECK,
            passed=True,
            description=f"{len(accepted)} new market file(s), all valid.",
            metadata={"files_accepted": len(accepted), "files_refused": 0},
        )
    problems = [problem for _, listed in rejected for problem in listed]
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=LANDING_CHECK,
        passed=False,
        severity=dg.AssetCheckSeverity.WARN,
        description="\n\n".join(
            rejection_paragraph(name, listed, quarantine) for name, listed in rejected
        ),
        metadata={
            "failures": problems_table(problems),
            "files_accepted": len(accepted),
            "files_refused": len(rejected),
        },
    )
