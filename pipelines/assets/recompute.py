"""What a market run recomputes beyond what changed: a range, or everything, asked for by tags.

A run recomputes by itself what changed upstream since each table last read it (see
pipelines/warehouse/changes.py). These run tags widen that, for a backfill after a rule or seed
changed: `sovai refresh --from 2008-01-01 --to 2022-12-01`, or `--all`, or the same tags on a
launch from the Dagster UI. A range of any length is one run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

RECOMPUTE_FROM = "sovai/recompute_from"
RECOMPUTE_TO = "sovai/recompute_to"
RECOMPUTE_ALL = "sovai/recompute_all"


class RecomputeTagError(ValueError):
    """A recompute tag that is not an ISO date, or a range that ends before it starts."""


@dataclass(frozen=True)
class RecomputeRequest:
    requested: tuple[date, date] | None = None
    everything: bool = False

    def tags(self) -> dict[str, str]:
        found: dict[str, str] = {}
        if self.everything:
            found[RECOMPUTE_ALL] = "true"
        if self.requested is not None:
            found[RECOMPUTE_FROM] = self.requested[0].isoformat()
            found[RECOMPUTE_TO] = self.requested[1].isoformat()
        return found


def _date(tags: Mapping[str, str], name: str) -> date | None:
    value = tags.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RecomputeTagError(
            f"Run tag {name}={value!r} is not a date: give it as YYYY-MM-DD."
        ) from None


def recompute_request(tags: Mapping[str, str]) -> RecomputeRequest:
    """The request a run's tags make; a missing end of a range is open (the first or last
    period)."""
    everything = tags.get(RECOMPUTE_ALL, "").strip().lower() in ("1", "true", "yes")
    first, last = _date(tags, RECOMPUTE_FROM), _date(tags, RECOMPUTE_TO)
    if first is None and last is None:
        return RecomputeRequest(None, everything)
    first, last = first or date.min, last or date.max
    if last < first:
        raise RecomputeTagError(
            f"Run tags ask to recompute from {first} to {last}, which ends before it starts."
        )
    return RecomputeRequest((first, last), everything)
