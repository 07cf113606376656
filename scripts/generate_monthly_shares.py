"""Write a long monthly share file shaped like a real survey series, for tests and benchmarks.

Usage::

    python scripts/generate_monthly_shares.py --start 2008-01 --months 180 --out shares.csv

What a real series looks like, and so this one: one row per vendor and month in the share-file
contract (period,market,region,vendor,share,source), three named vendors (nvidia, amd, intel, the
keys of seeds/vendors.yaml) and `other` for the rest; intel absent in some months (a vendor that
vanishes from the survey); and some months wholly `other` (a gap in the survey: no named vendor,
share 1.0 unallocated), by default the 37th and the 38th. Shares have four decimals and add up to
1 in every month (`other` is at least 0.03). Deterministic: the same arguments give the same bytes.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

HEADER = "period,market,region,vendor,share,source\n"
SOURCE = "generated monthly series (scripts/generate_monthly_shares.py)"


def month(start: date, offset: int) -> date:
    index = start.year * 12 + start.month - 1 + offset
    return date(index // 12, index % 12 + 1, 1)


def monthly_shares(
    start: date, months: int, all_other: frozenset[int] = frozenset({36, 37})
) -> dict[date, dict[str, float]]:
    """Each month's shares by vendor; months whose index is in all_other are wholly `other`."""
    series: dict[date, dict[str, float]] = {}
    for offset in range(months):
        if offset in all_other:
            series[month(start, offset)] = {"other": 1.0}
            continue
        shares = {
            "nvidia": round(0.50 + (offset % 7) * 0.03, 4),
            "amd": round(0.20 - (offset % 5) * 0.02, 4),
        }
        if offset % 11:  # intel is missing from every eleventh month's survey
            shares["intel"] = round(0.06 + (offset % 3) * 0.015, 4)
        shares["other"] = round(1 - sum(shares.values()), 4)
        series[month(start, offset)] = shares
    return series


def hhi(shares: dict[str, float]) -> float:
    """HHI over named vendors, by hand: sum of (100 x share)^2, `other` left out."""
    return sum((100 * share) ** 2 for vendor, share in shares.items() if vendor != "other")


def csv_text(series: dict[date, dict[str, float]], market: str = "gpus") -> str:
    lines = [
        f"{period.isoformat()},{market},global,{vendor},{share:.4f},{SOURCE}\n"
        for period, shares in series.items()
        for vendor, share in shares.items()
    ]
    return HEADER + "".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--start", default="2008-01", help="first month, YYYY-MM")
    parser.add_argument("--months", type=int, default=180)
    parser.add_argument("--market", default="gpus")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    start = date.fromisoformat(f"{args.start}-01")
    text = csv_text(monthly_shares(start, args.months), args.market)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}: {args.months} months, {text.count(chr(10)) - 1} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
