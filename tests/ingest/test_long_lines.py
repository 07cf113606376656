"""A landing file of one enormous line, or with one enormous row, is refused before any reader
holds it whole: it costs a stream through the file, not memory many times its size."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from pipelines.ingest.guards import MAX_LINE_BYTES, first_overlong_line, header_too_long
from tests.cli.runner import PROJECT_ROOT

HEADER = "period,market,region,vendor,share,source\n"


def test_the_first_overlong_line_is_found_by_number(tmp_path):
    path = tmp_path / "shares.csv"
    path.write_text(HEADER + "2026-01-01,gpus,global,nvidia,0.5,ok\n" + "x" * (MAX_LINE_BYTES + 1))
    assert first_overlong_line(path) == 3
    path.write_text(HEADER + "x" * MAX_LINE_BYTES + "\n")  # exactly the limit is fine
    assert first_overlong_line(path) is None
    assert not header_too_long(path)


def test_a_header_without_a_line_end_within_64_kib_is_not_a_header(tmp_path):
    path = tmp_path / "oneline.csv"
    path.write_text(HEADER.strip() + ",x" * 40_000)
    assert header_too_long(path)


INGEST = textwrap.dedent(
    """
    import resource, sys
    from dataclasses import replace
    from pathlib import Path
    from pipelines.ingest.market_refresh import ingest_new_files, plan_refresh
    from pipelines.settings import get_settings
    root = Path(sys.argv[1])
    settings = replace(get_settings(), landing_dir=root / "landing",
                       seeds_dir=root / "no-seeds", warehouse_path=root / "none.duckdb")
    plan_refresh(settings)
    outcome, _ = ingest_new_files(settings, {"nvidia"})
    for file, problems in outcome.rejected:
        print(file.path.name, problems[0].row, problems[0].rule)
    print("peak_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
    """
)


def test_100_mb_single_line_and_long_row_files_are_refused_within_little_memory(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    with open(landing / "oneline.csv", "w") as handle:  # a header that never ends
        handle.write(HEADER.strip() + ",x" * 50_000_000)
    with open(landing / "longrow.csv", "w") as handle:  # a row of 100 MB
        handle.write(HEADER + "2026-01-01,gpus,global,nvidia,0.5," + "x" * 100_000_000 + "\n")
    result = subprocess.run(
        [sys.executable, "-c", INGEST, str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "longrow.csv line 2 the line is longer than 64 KiB" in lines[0] + lines[1]
    assert "oneline.csv line 1 the first line is longer than 64 KiB" in lines[0] + lines[1]
    peak = int(lines[-1].split()[1])
    assert peak < 1024, f"peak {peak} MB for 200 MB of files"  # was killed by the OOM killer
    assert Path(landing / "oneline.csv").exists()  # refusing is the run's job; nothing deleted
