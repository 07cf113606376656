"""Which market periods are plausible: not before market_period_start, and not more than
market_period_days_ahead days after today (both in seeds/assumptions.yaml).

A period far in the future is almost always a typo (2062 for 2026) or a unit mix-up, so it is
refused with the setting to change if it is meant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl

from models.validation import Problem, SeedFrame, rows_not_listed

MAX_REPORTED_ROWS = 200


@dataclass(frozen=True)
class PeriodBounds:
    first: date
    last: date
    days_ahead: int

    def rule(self, period: date) -> str | None:
        """Why a period is refused, or None when it is within bounds."""
        if period > self.last:
            return (
                f"lies after {self.last.isoformat()}, more than {self.days_ahead} days in the "
                "future (market_period_days_ahead in seeds/assumptions.yaml sets how far ahead "
                "a period may lie)"
            )
        if period < self.first:
            return (
                f"lies before {self.first.isoformat()}, the first market period "
                "(market_period_start in seeds/assumptions.yaml)"
            )
        return None

    def out_of_bounds(self, column: str = "period") -> pl.Expr:
        period = pl.col(column)
        return (period > pl.lit(self.last)) | (period < pl.lit(self.first))


def period_bounds(assumptions: Mapping[str, Any], today: date | None = None) -> PeriodBounds:
    """Bounds from the assumptions row (validated, or read straight from the YAML)."""
    today = today or datetime.now(UTC).date()
    days_ahead = int(assumptions["market_period_days_ahead"])
    first = assumptions["market_period_start"]
    first = first if isinstance(first, date) else date.fromisoformat(str(first))
    return PeriodBounds(first=first, last=today + timedelta(days=days_ahead), days_ahead=days_ahead)


def check_period_bounds(seed: SeedFrame, periods: pl.Series, bounds: PeriodBounds) -> list[Problem]:
    """A problem for each row (its file and line from seed) whose period is out of bounds."""
    frame = pl.DataFrame({"period": periods}).with_row_index("_index")
    outside = frame.filter(bounds.out_of_bounds())
    problems = [
        Problem(*seed.where(index), "period", bounds.rule(period) or "", period.isoformat())
        for index, period in outside.head(MAX_REPORTED_ROWS).iter_rows()
    ]
    if outside.height > len(problems):
        hidden = outside.height - len(problems)
        problems.append(rows_not_listed(seed, hidden, "period", "out of bounds in the same way"))
    return problems
