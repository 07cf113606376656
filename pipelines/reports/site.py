"""The static report page: charts, key tables and table versions in one offline HTML file.

Images are embedded as data URIs, so the page can be mailed or opened from a copied folder.
"""

from __future__ import annotations

import base64
import html
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

KEY_TABLES = [
    (
        "Platform efficiency",
        "select platform, performance_per_watt, tokens_per_s_per_1k_usd, tco_usd, "
        "co2_kg_per_million_tokens from analytics.platform_efficiency "
        "order by co2_kg_per_million_tokens",
    ),
    (
        "Market concentration, latest period per market and region",
        "select period, market, region, round(hhi, 1) as hhi, leading_vendor, class_2010, "
        "class_2023 from analytics.market_concentration "
        "qualify period = max(period) over (partition by market, region) "
        "order by market, region",
    ),
    (
        "Vendor risk",
        "select * from analytics.vendor_risk order by 1",
    ),
    (
        "Sovereign compute plans: the cheapest and fastest options obtainable without a licence",
        "select plan, destination, export_rule, model, scenario, n_options, n_obtainable, "
        "cheapest_option, cheapest_cost_per_million_tokens_usd, fastest_option, "
        "fastest_tokens_per_s, obtainable_capacity_ratio, obtainable_capacity_hhi, "
        "top_manufacturer, top_manufacturer_share, cheapest_is_robust, note "
        "from analytics.sovereign_compute_plan_summary order by plan",
    ),
]

VERSIONS_SQL = """
select view_name as "table", version, row_count as rows,
       strftime(published_at, '%Y-%m-%d %H:%M:%S UTC') as published_at
from meta.table_versions
qualify version = max(version) over (partition by table_name)
order by 1
"""
VERSIONS_COLUMNS = {
    "table": "The published view",
    "version": "Its current version, 1, 2, ...",
    "rows": "Rows in that version [rows]",
    "published_at": "When that version was published (UTC)",
}

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f2f4f7; } img { max-width: 100%; border: 1px solid #eee; }
.muted { color: #666; font-size: 0.85rem; }
"""

MAX_TABLE_ROWS = 50


def _cell(value: object) -> str:
    if value is None:
        return '<td class="number">NULL</td>'
    if isinstance(value, float):
        return f'<td class="number">{value:,.4g}</td>'
    if isinstance(value, int):
        return f'<td class="number">{value:,}</td>'
    return f"<td>{html.escape(str(value))}</td>"


def html_table(frame: pl.DataFrame) -> str:
    header = "".join(f"<th>{html.escape(name)}</th>" for name in frame.columns)
    rows = "".join(
        "<tr>" + "".join(_cell(value) for value in row) + "</tr>"
        for row in frame.head(MAX_TABLE_ROWS).iter_rows()
    )
    more = (
        f'<p class="muted">First {MAX_TABLE_ROWS} of {frame.height} rows.</p>'
        if frame.height > MAX_TABLE_ROWS
        else ""
    )
    return f"<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>{more}"


def render_report(
    charts: list[tuple[str, Path]],
    tables: list[tuple[str, pl.DataFrame]],
    versions: pl.DataFrame,
) -> str:
    sections = []
    for title, path in charts:
        encoded = base64.b64encode(path.read_bytes()).decode("ascii")
        sections.append(
            f"<h2>{html.escape(title)}</h2>"
            f'<img alt="{html.escape(title)}" src="data:image/png;base64,{encoded}">'
            f'<p class="muted">{html.escape(path.name)}</p>'
        )
    for title, frame in tables:
        sections.append(f"<h2>{html.escape(title)}</h2>{html_table(frame)}")
    sections.append(f"<h2>Table versions</h2>{html_table(versions)}")
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Sovereign AI Warehouse report</title>"
        f"<style>{STYLE}</style></head><body>"
        "<h1>Sovereign AI Warehouse report</h1>"
        f'<p class="muted">Generated {generated} from the warehouse; every chart names the '
        "version of the table it draws.</p>" + "".join(sections) + "</body></html>\n"
    )
