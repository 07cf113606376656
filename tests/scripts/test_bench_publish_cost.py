"""The publish-cost benchmark measures at a tiny size and prints one table row per size."""

import importlib.util
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "bench_publish_cost", PROJECT_ROOT / "scripts" / "bench_publish_cost.py"
)
bench = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = bench  # its dataclasses look their module up there
_spec.loader.exec_module(bench)


def test_each_size_gets_a_row_of_positive_times_and_a_growing_file(tmp_path):
    # The seed tables and a first record file are a few MB: 1 MB is measured as built, 16 MB
    # after growing it with small record files through the market data path.
    results, notes = bench.measure(
        tmp_path, sizes_mb=[1, 16], repeat=2, step_rows=50_000, build_minutes=5, log=lambda _: None
    )

    assert notes == []
    assert len(results) == 2
    small, grown = results
    assert small.size_mb >= 1 and grown.size_mb >= 16 and grown.size_mb > small.size_mb * 1.25
    assert grown.share_rows > small.share_rows
    for result in results:
        assert result.runs == 2
        assert result.platforms_publish > 0
        assert result.monthly_refresh > result.monthly_publishes > 0
        assert result.copy_rename > 0
        assert 0 < result.unchanged_publish < result.platforms_publish  # no copy to write
        assert 0 < result.market_unchanged_publish < result.monthly_publishes  # nor here

    lines = bench.table(results)
    assert lines[0] == bench.HEADER
    assert len(lines) == 3
    for line, result in zip(lines[1:], results, strict=True):
        assert line.split()[0] == f"{result.size_mb:,.1f}"
        assert line.split()[1] == f"{result.share_rows:,}"
    # The working copy and its rename left nothing behind
    assert not list((tmp_path / "warehouse").glob("*.publishing*"))
    assert not (tmp_path / "warehouse" / "bench-renamed.duckdb").exists()
