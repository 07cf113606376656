"""The lineage benchmark runs on a built warehouse and reports both ways of following columns."""

import subprocess
import sys

from tests.conftest import PROJECT_ROOT


def test_the_benchmark_times_one_walk_beside_sqlglots_per_column_call(built_template):
    models = ["market_concentration_history", "vendor_risk"]
    result = subprocess.run(
        [sys.executable, "scripts/bench_lineage.py", "--warehouse", str(built_template)]
        + [argument for model in models for argument in ("--model", model)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    rows = [line.split("|")[1:-1] for line in result.stdout.splitlines() if line.startswith("| ")]
    by_model = {cells[0].strip(): [cell.strip() for cell in cells[1:]] for cells in rows}
    assert set(models) <= set(by_model)
    for model in models:
        one_walk, walked, per_column, followed = by_model[model]
        assert float(one_walk) >= 0 and float(per_column) >= 0
        assert int(walked) >= int(followed) > 0, (model, by_model[model])
    assert "**all models**" in by_model
    assert "Cannot traverse" not in result.stderr


def test_without_a_warehouse_it_says_how_to_build_one(tmp_path):
    result = subprocess.run(
        [sys.executable, "scripts/bench_lineage.py", "--warehouse", str(tmp_path / "none.duckdb")],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "make run" in result.stderr
