"""Write synthetic market record files for load tests and benchmarks.

Usage::

    python scripts/generate_market_records.py --rows 10000000 --days 365 --seed 1
    python scripts/generate_market_records.py --rows 5000 --days 30 --seed 7 \\
        --out /tmp/records --files 4 --format parquet --known-vendors-only

Each output file follows the *record file* contract: the header
``period,market,region,vendor,quantity,unit,source`` and one additive quantity (units shipped)
per row, for one vendor in one market and region on one period day. Rows are not unique: several
rows may name the same period, market, region and vendor, and they add up. Shares are derived
later as vendor quantity / (period, market, region) total.

What the data looks like:

* ``period``: an ISO date, drawn uniformly from ``--days`` consecutive days from ``--start``.
* ``market`` and ``region``: lowercase snake_case keys (``^[a-z0-9_]+$``), drawn with fixed,
  uneven weights from 8 markets and 9 regions.
* ``vendor``: ``--vendors`` vendors ranked by a Zipf (power-law) distribution whose exponent
  depends on the market (1.4 to 1.9), so the top vendor holds a large share and the HHI of a
  period/market/region comes out moderately to highly concentrated. The four top-ranked vendors
  are the real keys ``nvidia``, ``amd``, ``intel`` and ``google_tpu``; the rest are
  ``vendor_001``, ``vendor_002``, ...
* ``quantity``: integer units from a lognormal distribution, clipped to 1..1000 (a float64
  column in Parquet output); ``unit`` is ``units``; ``source`` names this script and the seed.

NOTE for users of the files: vendor keys other than nvidia, amd, intel and google_tpu are NOT
in ``seeds/vendors.yaml``, so a pipeline that checks vendor references will reject them (the
pipeline may need a ``--known-vendors-only`` option of its own). To produce files that pass the
reference check, use ``--known-vendors-only``: it keeps the four real keys and folds every other
vendor into ``other``, the unallocated remainder (which is not a firm).

Output is deterministic: the same arguments give byte-identical files (with the same polars and
pyarrow versions). Every random draw is a counter-based hash of (seed, stream, row number), so
the rows do not depend on ``--chunk-rows`` (CSV bytes do not either; Parquet row groups do), and
the rows of ``--files K`` are the rows of one file split in order. Rows are generated in chunks
(vectorised with polars, no per-row Python) and appended, so memory stays bounded whatever
``--rows`` is. Files are written under a ``.part`` name and renamed when complete.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from datetime import date
from pathlib import Path

import polars as pl

HEADER = ("period", "market", "region", "vendor", "quantity", "unit", "source")
KNOWN_VENDORS = ("nvidia", "amd", "intel", "google_tpu")
UNALLOCATED_VENDOR = "other"
UNIT = "units"

# Market key -> (row weight, Zipf exponent of the vendor distribution in that market).
MARKETS: dict[str, tuple[float, float]] = {
    "ai_accelerators": (0.22, 1.7),
    "ai_training_gpus": (0.16, 1.9),
    "ai_inference_asics": (0.12, 1.4),
    "datacenter_cpus": (0.14, 1.5),
    "edge_ai_chips": (0.10, 1.4),
    "hbm_memory": (0.08, 1.8),
    "ai_networking": (0.08, 1.6),
    "ai_servers": (0.10, 1.5),
}
REGIONS: dict[str, float] = {
    "global": 0.10,
    "north_america": 0.28,
    "europe": 0.13,
    "china": 0.15,
    "japan": 0.07,
    "korea": 0.06,
    "taiwan": 0.08,
    "india": 0.06,
    "middle_east": 0.07,
}
QUANTITY_LOG_MEAN = math.log(40.0)  # median of 40 units per record
QUANTITY_LOG_SD = 1.1
QUANTITY_MIN, QUANTITY_MAX = 1, 1000

# Random streams: each draw is splitmix64(stream key + row * golden gamma).
STREAM_DAY, STREAM_MARKET, STREAM_REGION, STREAM_VENDOR, STREAM_Q1, STREAM_Q2 = range(6)
_GAMMA = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_MASK = (1 << 64) - 1
_UNIFORM_BITS = 48  # m + u is exact in float64 for the small integers m added in cdf lookups

DEFAULT_OUT = Path("data/landing")
DEFAULT_CHUNK_ROWS = 1_000_000


def _splitmix64_int(x: int) -> int:
    """splitmix64 of one integer in plain Python (used to derive stream keys)."""
    z = (x + _GAMMA) & _MASK
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


def _u64(value: int) -> pl.Expr:
    return pl.lit(value, dtype=pl.UInt64)


def _shr(expr: pl.Expr, bits: int) -> pl.Expr:
    return expr // _u64(1 << bits)


def _mix(z: pl.Expr) -> pl.Expr:
    """The splitmix64 finaliser on a UInt64 expression (polars UInt64 arithmetic wraps)."""
    z = z.xor(_shr(z, 30)) * _u64(_M1)
    z = z.xor(_shr(z, 27)) * _u64(_M2)
    return z.xor(_shr(z, 31))


def _uniform(row: pl.Expr, key: int) -> pl.Expr:
    """A uniform float64 in [0, 1) for each row number, from the stream with this key."""
    bits = _shr(_mix(row * _u64(_GAMMA) + _u64(key)), 64 - _UNIFORM_BITS)
    return bits.cast(pl.Float64) * (1.0 / (1 << _UNIFORM_BITS))


def _cumulative(weights: list[float]) -> list[float]:
    total = sum(weights)
    cdf, running = [], 0.0
    for weight in weights:
        running += weight
        cdf.append(running / total)
    cdf[-1] = 1.0
    return cdf


def vendor_keys(n_vendors: int) -> list[str]:
    """The vendor keys in rank order: the four real keys, then vendor_001, vendor_002, ..."""
    width = max(3, len(str(n_vendors)))
    rest = [f"vendor_{i:0{width}d}" for i in range(1, n_vendors - len(KNOWN_VENDORS) + 1)]
    return list(KNOWN_VENDORS) + rest


def _stacked_vendor_cdf(n_vendors: int) -> pl.Series:
    """Zipf CDFs over vendor ranks, one per market, market m's shifted up by m.

    A single sorted search of ``m + u`` then finds the vendor rank for a row in market m.
    """
    stacked: list[float] = []
    for m, (_, exponent) in enumerate(MARKETS.values()):
        weights = [1.0 / rank**exponent for rank in range(1, n_vendors + 1)]
        stacked.extend(m + c for c in _cumulative(weights))
    return pl.Series("cdf", stacked, dtype=pl.Float64)


class RecordGenerator:
    """Builds any range of rows [offset, offset + n) of the synthetic record stream."""

    def __init__(
        self,
        seed: int,
        days: int,
        start: date,
        n_vendors: int,
        known_vendors_only: bool,
    ) -> None:
        base = _splitmix64_int(seed & _MASK)
        self.keys = [_splitmix64_int((base + stream * _M2) & _MASK) for stream in range(6)]
        self.days = days
        self.start_day = (start - date(1970, 1, 1)).days
        self.n_vendors = n_vendors
        self.source = f"synthetic (scripts/generate_market_records.py seed {seed})"
        self.market_names = pl.Series("m", list(MARKETS), dtype=pl.String)
        self.market_cdf = pl.Series("c", _cumulative([w for w, _ in MARKETS.values()]))
        self.region_names = pl.Series("r", list(REGIONS), dtype=pl.String)
        self.region_cdf = pl.Series("c", _cumulative(list(REGIONS.values())))
        self.vendor_cdf = _stacked_vendor_cdf(n_vendors)
        names = vendor_keys(n_vendors)
        if known_vendors_only:
            n_known = len(KNOWN_VENDORS)
            names = names[:n_known] + [UNALLOCATED_VENDOR] * (n_vendors - n_known)
        self.vendor_names = pl.Series("v", names, dtype=pl.String)

    def chunk(self, offset: int, n: int) -> pl.DataFrame:
        row = pl.int_range(offset, offset + n, dtype=pl.UInt64)
        k = self.keys
        draws = pl.select(
            day=(_uniform(row, k[STREAM_DAY]) * self.days).floor().cast(pl.Int32),
            market=pl.lit(self.market_cdf).search_sorted(
                _uniform(row, k[STREAM_MARKET]), side="right"
            ),
            region=pl.lit(self.region_cdf).search_sorted(
                _uniform(row, k[STREAM_REGION]), side="right"
            ),
            u_vendor=_uniform(row, k[STREAM_VENDOR]),
            # Box-Muller: 1 - u lies in (0, 1], so the log is finite.
            normal=(-2.0 * (1.0 - _uniform(row, k[STREAM_Q1])).log()).sqrt()
            * (2.0 * math.pi * _uniform(row, k[STREAM_Q2])).cos(),
        )
        n_vendors = self.n_vendors
        market = pl.col("market").cast(pl.Int64)
        vendor_rank = (
            pl.lit(self.vendor_cdf).search_sorted(
                market.cast(pl.Float64) + pl.col("u_vendor"), side="right"
            )
        ).cast(pl.Int64) - market * n_vendors
        quantity = (
            (pl.col("normal") * QUANTITY_LOG_SD + QUANTITY_LOG_MEAN)
            .exp()
            .round()
            .clip(QUANTITY_MIN, QUANTITY_MAX)
        )
        return draws.select(
            period=(pl.col("day") + self.start_day).cast(pl.Date),
            market=pl.lit(self.market_names).gather(pl.col("market")),
            region=pl.lit(self.region_names).gather(pl.col("region")),
            vendor=pl.lit(self.vendor_names).gather(vendor_rank.clip(0, n_vendors - 1)),
            quantity=quantity,
            unit=pl.lit(UNIT, dtype=pl.String),
            source=pl.lit(self.source, dtype=pl.String),
        )


def split_rows(rows: int, files: int) -> list[int]:
    """Rows per file: as even as possible, the first files taking the remainder."""
    base, extra = divmod(rows, files)
    return [base + (1 if i < extra else 0) for i in range(files)]


def _write_csv_file(
    path: Path, generator: RecordGenerator, offset: int, n: int, chunk_rows: int
) -> None:
    with path.open("wb") as handle:
        handle.write((",".join(HEADER) + "\n").encode())
        for start in range(offset, offset + n, chunk_rows):
            frame = generator.chunk(start, min(chunk_rows, offset + n - start))
            frame = frame.with_columns(pl.col("quantity").cast(pl.Int64))
            frame.write_csv(handle, include_header=False, date_format="%Y-%m-%d")


def _write_parquet_file(
    path: Path, generator: RecordGenerator, offset: int, n: int, chunk_rows: int
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("period", pa.date32()),
            ("market", pa.string()),
            ("region", pa.string()),
            ("vendor", pa.string()),
            ("quantity", pa.float64()),
            ("unit", pa.string()),
            ("source", pa.string()),
        ]
    )
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for start in range(offset, offset + n, chunk_rows):
            frame = generator.chunk(start, min(chunk_rows, offset + n - start))
            writer.write_table(frame.to_arrow().cast(schema), row_group_size=chunk_rows)
        if n == 0:
            writer.write_table(schema.empty_table())


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Write synthetic market record files (period,market,region,vendor,"
        "quantity,unit,source) for load tests and benchmarks.",
    )
    parser.add_argument("--rows", type=int, required=True, help="data rows in all files")
    parser.add_argument("--days", type=int, required=True, help="number of period days")
    parser.add_argument("--seed", type=int, required=True, help="random seed (>= 0)")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT}/)"
    )
    parser.add_argument("--files", type=int, default=1, help="number of files (default 1)")
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument(
        "--start",
        type=date.fromisoformat,
        default=date(2025, 1, 1),
        help="first period day, YYYY-MM-DD (default 2025-01-01)",
    )
    parser.add_argument(
        "--vendors", type=int, default=300, help="number of vendors (default 300, at least 4)"
    )
    parser.add_argument(
        "--known-vendors-only",
        action="store_true",
        help="use only nvidia, amd, intel, google_tpu and 'other' (the unallocated remainder)",
    )
    parser.add_argument(
        "--chunk-rows",
        type=int,
        default=DEFAULT_CHUNK_ROWS,
        help=f"rows generated per chunk; bounds memory, not the output (default "
        f"{DEFAULT_CHUNK_ROWS:,})",
    )
    args = parser.parse_args(argv)
    if args.rows < 0:
        parser.error("--rows must be >= 0")
    if args.days < 1:
        parser.error("--days must be >= 1")
    if args.seed < 0:
        parser.error("--seed must be >= 0")
    if args.files < 1:
        parser.error("--files must be >= 1")
    if args.vendors < len(KNOWN_VENDORS):
        parser.error(f"--vendors must be >= {len(KNOWN_VENDORS)}")
    if args.chunk_rows < 1:
        parser.error("--chunk-rows must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    began = time.perf_counter()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    generator = RecordGenerator(
        seed=args.seed,
        days=args.days,
        start=args.start,
        n_vendors=args.vendors,
        known_vendors_only=args.known_vendors_only,
    )
    write = _write_csv_file if args.format == "csv" else _write_parquet_file
    paths = [out / f"records-s{args.seed}-{i:03d}.{args.format}" for i in range(args.files)]
    stale = sorted(set(out.glob(f"records-s{args.seed}-*.{args.format}")) - set(paths))
    if stale:
        print(
            f"warning: {len(stale)} other file(s) for seed {args.seed} in {out} "
            f"(e.g. {stale[0].name}) are not part of this run",
            file=sys.stderr,
        )
    offset = 0
    total_bytes = 0
    for path, n in zip(paths, split_rows(args.rows, args.files), strict=True):
        partial = path.with_name(path.name + ".part")
        write(partial, generator, offset, n, args.chunk_rows)
        partial.replace(path)
        total_bytes += path.stat().st_size
        offset += n
    seconds = time.perf_counter() - began
    print(
        f"wrote {len(paths)} {args.format} file(s) to {out}: {args.rows:,} rows, "
        f"{total_bytes:,} bytes in {seconds:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
