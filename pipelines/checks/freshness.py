"""When market data counts as stale: a Dagster freshness policy on every market-share asset.

The windows are constants of seeds/assumptions.yaml (market_freshness_warn_hours and
market_freshness_fail_hours), read when the definitions load. The UI shows the state when
`freshness: enabled` is set in dagster.yaml (it is, for this project).
"""

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import dagster as dg
import yaml

from models.bounds import MAX_FRESHNESS_HOURS
from pipelines.ingest.encoding import read_text
from pipelines.ingest.seed_yaml import load_seed_yaml

DEFAULT_WARN_HOURS = 24.0
DEFAULT_FAIL_HOURS = 72.0


def market_freshness_policy(seeds_dir: Path) -> dg.FreshnessPolicy:
    """Warn after market_freshness_warn_hours without a refresh, fail after ..._fail_hours."""
    try:
        assumptions = load_seed_yaml(read_text(seeds_dir / "assumptions.yaml"))
        warn = float(assumptions["market_freshness_warn_hours"])
        fail = float(assumptions["market_freshness_fail_hours"])
        if not 0 < warn < fail <= MAX_FRESHNESS_HOURS:  # also false for NaN
            raise ValueError("warn must be positive, below fail, and fail within bounds")
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError, OverflowError):
        warn, fail = DEFAULT_WARN_HOURS, DEFAULT_FAIL_HOURS  # a run's validation reports it
    return dg.FreshnessPolicy.time_window(
        fail_window=timedelta(hours=fail), warn_window=timedelta(hours=warn)
    )


def with_freshness(
    assets: Sequence[dg.AssetsDefinition], policy: dg.FreshnessPolicy
) -> list[dg.AssetsDefinition]:
    return list(dg.map_asset_specs(lambda spec: dg.apply_freshness_policy(spec, policy), assets))
