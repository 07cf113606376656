"""Data Docs open with no network: real Great Expectations runs on a small warehouse write pages
that load no remote script, stylesheet, font or image, whose local references all exist, and
whose index links every validated table's page (kept across runs that validate only some)."""

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import dagster as dg
import duckdb

from pipelines.checks import data_docs
from pipelines.checks.contracts import TableContract
from pipelines.checks.expectations import run_suites

GOOD = dg.AssetKey(["analytics", "good"])
BAD = dg.AssetKey(["analytics", "bad"])
CONTRACTS = {
    GOOD: TableContract.from_mapping(
        {"keys": ["period", "market"], "hhi": ["hhi"], "columns": ["period", "market", "hhi"]}
    ),
    BAD: TableContract.from_mapping(
        {
            "keys": ["period", "market"],
            "hhi": ["hhi"],
            "columns": ["period", "market", "hhi", "n_vendors"],
            "expectations": [
                {
                    "type": "expect_column_values_to_be_between",
                    "column": "n_vendors",
                    "min_value": 1,
                    "severity": "warn",
                }
            ],
        }
    ),
}
# What a page makes the browser fetch by itself: scripts, stylesheets, icons, images, media,
# frames, CSS url() and @import. Plain <a href> links are checked separately (they must resolve).
ASSET_PATTERNS = [
    re.compile(
        r"<(?:script|img|source|iframe|embed|audio|video|track|input)\b"
        r"[^>]*?\ssrc\s*=\s*[\"']?([^\"'\s>]+)",
        re.I,
    ),
    re.compile(r"<link\b[^>]*?\shref\s*=\s*[\"']?([^\"'\s>]+)", re.I),
    re.compile(r"<object\b[^>]*?\sdata\s*=\s*[\"']?([^\"'\s>]+)", re.I),
    re.compile(r"\ssrcset\s*=\s*[\"']?([^\"'\s>,]+)", re.I),
    re.compile(r"url\(\s*[\"']?([^\"')\s]+)", re.I),
    re.compile(r"@import\s+[\"']([^\"']+)", re.I),
]
LINK = re.compile(r"<a\b[^>]*?\shref\s*=\s*[\"']([^\"']+)", re.I)
REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)


def small_warehouse(root: Path) -> Path:
    """Two analytics tables: one that meets its suite, one that breaks it (a repeated key, an HHI
    over 10000, and a warn-only expectation)."""
    warehouse = root / "warehouse" / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema analytics")
        con.execute(
            "create table analytics.good as select * from (values "
            "(date '2024-01-01', 'cloud', 1200.0), (date '2024-02-01', 'cloud', 1300.0)) "
            "t(period, market, hhi)"
        )
        con.execute(
            "create table analytics.bad as select * from (values "
            "(date '2024-01-01', 'cloud', 12000.0, 0), (date '2024-01-01', 'cloud', 1300.0, 2)) "
            "t(period, market, hhi, n_vendors)"
        )
    return warehouse


def build_small_docs(root: Path) -> Path:
    """Data Docs from real GX runs: both tables, then the good one alone (as a job validating
    only its own tables does). Returns the data_docs folder."""
    warehouse = small_warehouse(root)
    run_suites(warehouse, CONTRACTS)
    outcomes, folder = run_suites(warehouse, {GOOD: CONTRACTS[GOOD]})
    assert outcomes[GOOD].passed
    return folder


def offline_problems(folder: Path) -> list[str]:
    """Every remote asset an HTML or CSS file under folder loads, every local asset or link that
    does not exist (empty: it all works offline)."""
    problems = []
    for file in sorted([*folder.rglob("*.html"), *folder.rglob("*.css")]):
        text = file.read_text(encoding="utf-8", errors="replace")
        where = file.relative_to(folder)
        for pattern in ASSET_PATTERNS:
            for ref in pattern.findall(text):
                if ref.startswith("data:"):
                    continue
                if REMOTE.match(ref):
                    problems.append(f"{where}: loads {ref}")
                elif not local_target(file, ref).exists():
                    problems.append(f"{where}: missing asset {ref}")
        for ref in LINK.findall(text):
            if REMOTE.match(ref) or ref.startswith(("#", "mailto:")):
                continue
            if not local_target(file, ref).exists():
                problems.append(f"{where}: broken link {ref}")
    return problems


def local_target(page: Path, ref: str) -> Path:
    path = unquote(urlparse(ref).path)
    return page.parent / path if path else page


def test_data_docs_open_offline_and_list_every_validated_table(tmp_path):
    # the pages of GX's own site (from before), which loaded Bootstrap and jQuery from CDNs
    stale = tmp_path.joinpath(
        "warehouse/data_docs/validations/analytics/old/__none__/20240101T000000.000000Z/old.html"
    )
    stale.parent.mkdir(parents=True)
    stale.write_text('<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>')

    folder = build_small_docs(tmp_path)

    assert offline_problems(folder) == []
    assert not stale.exists()
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert LINK.findall(index) == ["tables/analytics.bad.html", "tables/analytics.good.html"]
    assert "<script" not in index and "<style>" in index
    bad = (folder / "tables" / "analytics.bad.html").read_text(encoding="utf-8")
    assert LINK.findall(bad) == ["../index.html"]
    assert 'status failed">failed' in bad and 'status warning">warning' in bad
    assert "1 of 2 rows unexpected; e.g. 12000.0" in bad
    assert (folder / "tables" / "analytics.bad.json").exists()


def test_the_checker_finds_remote_and_missing_assets_and_broken_links(tmp_path):
    (tmp_path / "here.css").write_text("body { background: url(gone.png) }")
    (tmp_path / "page.html").write_text(
        '<link rel="stylesheet" href="https://cdn.example/b.css"><link href="here.css" '
        'rel="stylesheet"><img src="//cdn.example/logo.png"><a href="nowhere.html">x</a>'
        '<a href="page.html#top">self</a><a href="https://example.org">out</a>'
    )
    assert offline_problems(tmp_path) == [
        "here.css: missing asset gone.png",
        "page.html: loads //cdn.example/logo.png",
        "page.html: loads https://cdn.example/b.css",
        "page.html: broken link nowhere.html",
    ]


def test_a_page_shows_warn_only_failures_as_a_warning_and_escapes_what_it_shows(tmp_path):
    item = {
        "success": False,
        "expectation_config": {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "<b>market</b>", "value_set": ["a"]},
            "meta": {"severity": "warn"},
        },
        "result": {"element_count": 3, "unexpected_count": 1, "partial_unexpected_list": ["<x>"]},
    }
    result = {"success": False, "results": [item], "meta": {"validation_time": "garbage"}}
    assert data_docs.status(result) == "warning"
    assert data_docs.status({"results": [{**item, "expectation_config": {}}]}) == "failed"
    page = data_docs.table_page("analytics.t", result)
    assert "&lt;b&gt;market&lt;/b&gt;" in page and "e.g. &lt;x&gt;" in page and "<x>" not in page
    assert "value_set=a" in page and "Validated garbage" in page
    (tmp_path / "analytics.t.json").write_text(json.dumps(result))
    (tmp_path / "analytics.cut.json").write_text('{"results": [')
    index = data_docs.index_page(sorted(tmp_path.glob("*.json")))
    assert "2 tables, 1 with warnings only, 1 unreadable" in index
