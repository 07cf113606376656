"""Charts and the static report: what a person looks at, rebuilt from the warehouse on each run.

Each chart is an asset: it reads its table through a read-only connection, saves
reports/<chart>-v<version>.png (the version of the table it draws) and shows the image in its
materialization metadata, on the asset's page in the Dagster UI (see report_metadata).

A chart is drawn again only when what it shows could differ: each PNG carries a fingerprint of
what it was drawn from (the content of every table version it reads, its SQL, the drawing code
and matplotlib's version), and a run whose fingerprint matches the file's keeps the file. The
daily refresh with no new market file used to redraw two charts and import matplotlib: about 3 of
its 11 CPU-seconds (docs/benchmarks.md, "Charts kept when their data is unchanged").
"""

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import version as package_version
from pathlib import Path

import dagster as dg
import polars as pl

from pipelines.assets import report_metadata
from pipelines.assets.report_metadata import chart_markdown, column_comments, data_metadata
from pipelines.assets.versioning import code_version_of
from pipelines.reports import charts, png_text, site
from pipelines.resources import WarehouseResource

Renderer = Callable[[pl.DataFrame, WarehouseResource], bytes]
# The charts' and the report page's code: this module and the modules it uses to draw the
# charts, write the page and describe both in the UI
REPORTS_CODE_VERSION = code_version_of(
    Path(__file__), Path(charts.__file__), Path(site.__file__), Path(report_metadata.__file__)
)


@dataclass(frozen=True)
class ChartSpec:
    name: str
    title: str
    table: str  # the view it draws, e.g. analytics.platform_efficiency
    sql: str
    render: Renderer
    description: str
    extra_deps: tuple[str, ...] = ()
    # columns the SQL makes or changes; the others are described by the table's column comments
    column_descriptions: Mapping[str, str] = field(default_factory=dict)


def _thresholds(warehouse: WarehouseResource) -> dict[str, float]:
    return warehouse.query("select * from raw.assumptions").row(0, named=True)


CHARTS = [
    ChartSpec(
        name="platform_efficiency_chart",
        title="Platform efficiency: performance per watt, tokens per 1,000 USD, TCO, CO2",
        table="analytics.platform_efficiency",
        sql="select * from analytics.platform_efficiency order by platform",
        render=lambda frame, _: charts.png(charts.efficiency_grid_figure(frame)),
        description=(
            "The article's 2x2 comparison of compute platforms (performance per watt, tokens per "
            "1,000 USD, total cost of ownership, CO2 per million tokens), with value labels."
        ),
    ),
    ChartSpec(
        name="hhi_over_time_chart",
        title="HHI over time with the 2010 and 2023 guideline bands",
        table="analytics.market_concentration_history",
        sql="select * from analytics.market_concentration_history order by period",
        render=lambda frame, warehouse: charts.png(
            charts.hhi_over_time_figure(frame, _thresholds(warehouse))
        ),
        description=(
            "Herfindahl-Hirschman Index per market and region over time, drawn over the bands of "
            "the 2010 and 2023 US merger guidelines."
        ),
        extra_deps=("raw.assumptions",),
    ),
    ChartSpec(
        name="vendor_shares_chart",
        title="Vendor shares over time, stacked",
        table="raw.market_shares",
        # Only the series the chart draws (the four with the most periods; see
        # charts.vendor_share_areas_figure), chosen in SQL instead of fetching every share.
        sql=(
            "with drawn as (select market, region from raw.market_shares group by all "
            "order by count(distinct period) desc, market, region limit 4) "
            "select period, market, region, vendor, share from raw.market_shares "
            "join drawn using (market, region)"
        ),
        render=lambda frame, _: charts.png(charts.vendor_share_areas_figure(frame)),
        description="Each vendor's share of its market over time, as stacked areas.",
    ),
    ChartSpec(
        name="accelerator_tokens_per_watt_chart",
        title="Tokens per second per watt, llama2-70b-99.9 Offline (MLPerf Inference, median)",
        table="analytics.accelerator_efficiency",
        sql=(
            "select accelerator || ' (' || cast(accelerator_power_w as bigint) || ' W)' "
            "as accelerator, median_throughput_per_w_tdp from analytics.accelerator_efficiency "
            "where model = 'llama2-70b-99.9' and scenario = 'Offline' "
            "and availability = 'available' and throughput_unit = 'tokens/s' "
            "and median_throughput_per_w_tdp is not null"
        ),
        column_descriptions={
            "accelerator": "Catalog chip (or MLPerf name) and its rated power in watts, as the "
            "chart labels it",
        },
        render=lambda frame, _: charts.png(
            charts.ranked_bars_figure(
                frame,
                label="accelerator",
                value="median_throughput_per_w_tdp",
                title="llama2-70b-99.9 Offline, available systems: median tokens/s per W of "
                "rated accelerator power (3+ results each)",
                unit="tokens/s per W",
            )
        ),
        description=(
            "Measured efficiency of real accelerators: median tokens per second per watt of the "
            "accelerators' rated power on MLPerf Inference llama2-70b-99.9 Offline, available "
            "systems, each variant at its own power, medians over at least "
            "min_submissions_for_median results."
        ),
    ),
    ChartSpec(
        name="sovereign_compute_plans_chart",
        title="Sovereign compute plans: cost per million tokens against tokens/s, per plan",
        table="analytics.sovereign_compute_plans",
        sql=(
            "select plan, option, manufacturer, destination, export_rule, licence_status, "
            "total_tokens_per_s, cost_per_million_tokens_usd "
            "from analytics.sovereign_compute_plans where considered order by plan, option"
        ),
        render=lambda frame, _: charts.png(charts.plan_options_figure(frame)),
        description=(
            "One panel per sovereign compute plan: each option's cost per million tokens over the "
            "plan's horizon against the tokens/s its power budget gets, coloured by manufacturer; "
            "options needing an export licence at the plan's destination are crosses, options "
            "without a price are listed under the panel instead of drawn."
        ),
    ),
]


def _key(view: str) -> dg.AssetKey:
    return dg.AssetKey(view.split("."))


def table_version(warehouse: WarehouseResource, view: str) -> int:
    rows = warehouse.query(
        "select coalesce(max(version), 0) as version from meta.table_versions where view_name = ?",
        [view],
    )
    return int(rows.item())


PNG_SIGNATURE = png_text.SIGNATURE
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # the empty IEND chunk every whole PNG ends with
FINGERPRINT_KEY = "sovai:drawn-from"  # the PNG text entry holding drawn_from()
CHART_CHECK = "chart_drawn"
REPORT_CHECK = "report_complete"


def chart_check(key: dg.AssetKey, png: bytes, rows: int) -> dg.AssetCheckResult:
    """A chart passes when it is a PNG drawn from at least one row; an empty chart warns."""
    problems = []
    if not png.startswith(PNG_SIGNATURE):
        problems.append("the file is not a PNG image")
    if rows == 0:
        problems.append("its table has no rows yet, so the chart is empty")
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=CHART_CHECK,
        passed=not problems,
        severity=dg.AssetCheckSeverity.WARN,
        description="; ".join(problems) or f"a PNG of {len(png):,} bytes drawn from {rows} rows",
        metadata={"rows": rows, "bytes": len(png)},
    )


def drawn_from(warehouse: WarehouseResource, spec: ChartSpec) -> str:
    """A fingerprint of everything a chart is drawn from. Table versions are numbered per
    warehouse, so a rebuilt warehouse's v1 may hold other rows than the v1 a file was drawn
    from: the versions' content hashes are what counts."""
    views = sorted({spec.table, *spec.extra_deps})
    read = warehouse.query(
        "select view_name, max(version) as version, arg_max(content_hash, version) as content "
        "from meta.table_versions where list_contains(?, view_name) group by view_name "
        "order by view_name",
        [views],
    )
    inputs = [spec.name, spec.sql, REPORTS_CODE_VERSION, package_version("matplotlib")]
    inputs.append([list(row) for row in read.iter_rows()])
    return hashlib.sha256(json.dumps(inputs, default=str).encode()).hexdigest()[:24]


def kept_chart(path: Path, fingerprint: str) -> bytes | None:
    """The chart at path if it is a whole PNG drawn from exactly this fingerprint, else None."""
    try:
        png = path.read_bytes()
    except OSError:  # not drawn yet, or unreadable: draw it
        return None
    if png.endswith(PNG_END) and png_text.text_of(png, FINGERPRINT_KEY) == fingerprint:
        return png
    return None


def write_whole(path: Path, content: bytes) -> None:
    """Write to a neighbour and rename: a run killed while writing leaves the old file or none,
    never a cut-off one."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        partial.write_bytes(content)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)  # a write that failed (a full disk) leaves nothing


def chart_asset(spec: ChartSpec) -> dg.AssetsDefinition:
    key = dg.AssetKey(["reports", spec.name])

    @dg.asset(
        key=key,
        check_specs=[
            dg.AssetCheckSpec(CHART_CHECK, asset=key, description="A PNG drawn from its rows")
        ],
        deps=[_key(spec.table), *(_key(view) for view in spec.extra_deps)],
        group_name="reports",
        kinds={"matplotlib", "png"},
        description=spec.description,
        owners=["team:data-platform"],
        tags={"layer": "reports"},
        code_version=REPORTS_CODE_VERSION,
    )
    def _chart(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        frame = warehouse.query(spec.sql)
        version = table_version(warehouse, spec.table)
        folder = warehouse.settings().reports_dir
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{spec.name}-v{version}.png"
        fingerprint = drawn_from(warehouse, spec)
        png = kept_chart(path, fingerprint)
        redrawn = png is None
        if png is None:
            png = png_text.with_text(spec.render(frame, warehouse), FINGERPRINT_KEY, fingerprint)
            write_whole(path, png)
            context.log.info(f"Saved {path} ({len(png):,} bytes) from {spec.table} v{version}")
        else:
            context.log.info(f"Kept {path}: drawn from the same data by the same code")
        descriptions = {**column_comments(warehouse, spec.table), **spec.column_descriptions}
        image = chart_markdown(context, spec.name, version, spec.title, png)
        return dg.MaterializeResult(
            check_results=[chart_check(key, png, frame.height)],
            metadata={
                "chart": dg.MetadataValue.md(image),
                **data_metadata(frame, descriptions),
                "source_table": spec.table,
                "source_version": version,
                "path": dg.MetadataValue.path(str(path)),
                "redrawn": redrawn,
            },
        )

    return _chart


CHART_ASSETS = [chart_asset(spec) for spec in CHARTS]


INDEX = dg.AssetKey(["reports", "index"])


@dg.asset(
    key=INDEX,
    check_specs=[
        dg.AssetCheckSpec(REPORT_CHECK, asset=INDEX, description="Every chart is on the page")
    ],
    deps=[asset.key for asset in CHART_ASSETS],
    group_name="reports",
    kinds={"html"},
    description=(
        "reports/index.html: a static page with every chart, the key tables and the current "
        "version of each table; readable offline (images embedded)."
    ),
    owners=["team:data-platform"],
    tags={"layer": "reports"},
    code_version=REPORTS_CODE_VERSION,
)
def report_index(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    folder = warehouse.settings().reports_dir
    pieces = [
        (spec, folder / f"{spec.name}-v{table_version(warehouse, spec.table)}.png")
        for spec in CHARTS
    ]
    versions = warehouse.query(site.VERSIONS_SQL)
    page = site.render_report(
        charts=[(spec.title, path) for spec, path in pieces if path.exists()],
        tables=[(title, warehouse.query(sql)) for title, sql in site.KEY_TABLES],
        versions=versions,
    )
    path = folder / "index.html"
    path.write_text(page, encoding="utf-8")
    missing = [spec.name for spec, chart in pieces if not chart.exists()]
    if missing:
        context.log.warning(f"Charts not drawn yet, left out of the report: {missing}")
    complete = dg.AssetCheckResult(
        asset_key=INDEX,
        check_name=REPORT_CHECK,
        passed=not missing,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"charts not drawn yet: {', '.join(missing)}" if missing else "every chart is on it"
        ),
    )
    return dg.MaterializeResult(
        check_results=[complete],
        metadata={
            **data_metadata(versions, site.VERSIONS_COLUMNS),
            "path": dg.MetadataValue.path(str(path)),
            "charts": len(pieces) - len(missing),
            "bytes": len(page.encode()),
        },
    )


REPORT_ASSETS = [*CHART_ASSETS, report_index]
