"""Concentration over time: deltas, top movers, and what a run over a range recomputes."""

from datetime import date

import polars as pl
import pytest

from pipelines.metrics.sql import run_model_sql

JAN, FEB, MAR, JUN = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 6, 1)
SHARES = {
    # market gpus has monthly data; market cpus skips from January to June
    ("gpus", JAN): {"nvidia": 0.9, "amd": 0.1},
    ("gpus", FEB): {"nvidia": 0.8, "amd": 0.2},
    ("gpus", MAR): {"nvidia": 0.6, "amd": 0.2, "intel": 0.2},
    ("cpus", JAN): {"intel": 0.7, "amd": 0.3},
    ("cpus", JUN): {"intel": 0.5, "amd": 0.5},
}


def history(period_start: date | None = None, given: dict = SHARES) -> dict[tuple[str, date], dict]:
    shares = pl.DataFrame(
        [
            {"period": period, "market": market, "region": "global", "vendor": v, "share": s}
            for (market, period), vendors in given.items()
            for v, s in vendors.items()
        ]
    )
    hhi = shares.group_by("period", "market", "region").agg(
        (pl.col("share") * 100).pow(2).sum().alias("hhi")
    )
    concentration = hhi.with_columns(
        pl.col("hhi").alias("hhi_upper"),
        pl.lit("x").alias("class_2010"),
        pl.lit("x").alias("class_2023"),
        pl.lit(2).alias("n_vendors"),
        pl.lit(0.5).alias("cr1"),
        pl.lit(0.0).alias("unallocated_share"),
    )
    result = run_model_sql(
        "market_concentration_history",
        {"analytics.market_concentration": concentration, "raw.market_shares": shares},
        variables={"period_start": period_start} if period_start else None,
    )
    return {(row["market"], row["period"]): row for row in result.iter_rows(named=True)}


def test_each_period_is_compared_with_the_previous_one_of_its_market():
    rows = history()
    assert len(rows) == 5
    assert rows[("gpus", JAN)]["delta_hhi"] is None
    assert rows[("gpus", FEB)]["delta_hhi"] == pytest.approx(6800 - 8200)
    # March: nvidia 6400 -> 3600 (-2800), intel 0 -> 400, amd unchanged
    assert rows[("gpus", MAR)]["top_mover"] == "nvidia"
    assert rows[("gpus", MAR)]["top_mover_hhi_change"] == pytest.approx(-2800)
    assert rows[("cpus", JUN)]["previous_period"] == JAN


def test_a_run_recomputes_from_its_first_period_and_looks_one_period_back():
    rows = history(period_start=FEB)
    assert set(rows) == {("gpus", FEB), ("gpus", MAR), ("cpus", JUN)}
    assert rows == {key: row for key, row in history().items() if key[1] >= FEB}
    assert rows[("cpus", JUN)]["previous_hhi"] == pytest.approx(4900 + 900)  # January's


def test_on_a_tie_the_top_mover_is_the_first_vendor_and_its_own_change():
    """Two vendors swapping shares move the HHI by the same amount in opposite directions; the
    vendor and its change come from one row, whichever order the rows arrive in."""
    for order in (["b", "a"], ["a", "b"]):
        swap = {
            ("gpus", JAN): {name: {"a": 0.4, "b": 0.6}[name] for name in order},
            ("gpus", FEB): {name: {"a": 0.6, "b": 0.4}[name] for name in order},
        }
        moved = history(given=swap)[("gpus", FEB)]
        assert (moved["top_mover"], moved["top_mover_hhi_change"]) == ("a", pytest.approx(2000))
