"""Charts as matplotlib figures, drawn headless from warehouse frames; png() gives the bytes.

Pure functions of their inputs (no warehouse, no Dagster), so a test can check a chart from a
hand-made frame. matplotlib is imported inside each function: it costs about a second, which
loading the Dagster definitions should not pay.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from pipelines.reports.periods import period_step, period_ticks

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 96
PALETTE = ["#1f5f8b", "#e07b39", "#3a9d5d", "#b8433c", "#7d5ba6", "#8c6d31", "#5f6b7a", "#d4a017"]


@dataclass(frozen=True)
class Panel:
    column: str
    title: str
    unit: str
    better: str  # "higher" or "lower", said on the panel so a reader knows which way is good


EFFICIENCY_PANELS = [
    Panel("performance_per_watt", "Performance per watt", "score / W", "higher"),
    Panel(
        "tokens_per_s_per_1k_usd", "Throughput per 1,000 USD", "tokens/s per 1,000 USD", "higher"
    ),
    Panel("tco_usd", "Total cost of ownership", "USD over the horizon", "lower"),
    Panel("co2_kg_per_million_tokens", "CO2 per million tokens", "kg CO2e", "lower"),
]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # headless: no display on a server or in CI
    import matplotlib.pyplot as plt

    return plt


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes; the figure is then closed (pyplot keeps every open figure)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    _pyplot().close(figure)
    return buffer.getvalue()


def _label(value: float) -> str:
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 1:
        return f"{value:,.2f}"
    return f"{value:.3g}"


def efficiency_grid_figure(platform_efficiency: pl.DataFrame) -> Figure:
    """The article's 2x2 comparison of platforms, with each bar's value written on it."""
    plt = _pyplot()
    figure, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    platforms = platform_efficiency.get_column("platform").to_list()
    colors = [PALETTE[index % len(PALETTE)] for index in range(len(platforms))]
    for axis, panel in zip(axes.flat, EFFICIENCY_PANELS, strict=True):
        values = platform_efficiency.get_column(panel.column).to_list()
        bars = axis.bar(platforms, [value or 0 for value in values], color=colors)
        axis.bar_label(bars, labels=[_label(value or 0) for value in values], padding=2)
        axis.set_title(f"{panel.title} ({panel.better} is better)")
        axis.set_ylabel(panel.unit)
        axis.margins(y=0.15)
        axis.tick_params(axis="x", labelrotation=15)
        axis.grid(axis="y", alpha=0.3)
    figure.suptitle("Platform efficiency (analytics.platform_efficiency)")
    figure.tight_layout()
    return figure


def hhi_over_time_figure(
    history: pl.DataFrame, thresholds: Mapping[str, float], max_series: int = 12
) -> Figure:
    """HHI per market and region over time, over the 2010 and 2023 guideline bands.

    thresholds: hhi_2010_moderate_from, hhi_2010_high_above, hhi_2023_moderate_from,
    hhi_2023_high_above (raw.assumptions). Past max_series markets and regions (those with the
    most periods are drawn), the chart says how many it leaves out: 72 lines and a 72-entry
    legend were unreadable, and took most of the chart's time to draw."""
    plt = _pyplot()
    sizes = history.group_by("market", "region").agg(pl.col("period").n_unique().alias("n"))
    chosen = sizes.sort("n", "market", "region", descending=[True, False, False]).head(max_series)
    series = chosen.sort("market", "region").select("market", "region").rows()
    left_out = sizes.height - len(series)
    step = period_step(history.get_column("period").to_list())
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.8), sharey=True)
    for axis, guideline in zip(axes, ("2010", "2023"), strict=True):
        moderate = thresholds[f"hhi_{guideline}_moderate_from"]
        high = thresholds[f"hhi_{guideline}_high_above"]
        axis.axhspan(0, moderate, color="#3a9d5d", alpha=0.08, label="unconcentrated")
        axis.axhspan(moderate, high, color="#d4a017", alpha=0.12, label="moderately concentrated")
        axis.axhspan(high, 10_000, color="#b8433c", alpha=0.10, label="highly concentrated")
        for index, (market, region) in enumerate(series):
            points = history.filter(
                (pl.col("market") == market) & (pl.col("region") == region)
            ).sort("period")
            periods = points.get_column("period").to_list()
            values = points.get_column("hhi").to_list()
            axis.plot(
                # a period's HHI holds for the whole period, the series' last one included
                [*periods, step.after(periods[-1])],
                [*values, values[-1]],
                drawstyle="steps-post",
                marker="o" if points.height < 30 else None,
                markevery=slice(0, len(periods)),  # a marker at each period's start only
                color=PALETTE[index % len(PALETTE)],
                label=f"{market} / {region}",
            )
        more = f" ({left_out} more markets/regions not drawn)" if left_out else ""
        axis.set_title(f"HHI over time, {guideline} guideline bands{more}", fontsize="medium")
        axis.set_ylim(0, 10_000)
        axis.set_ylabel("HHI (0-10,000)")
        period_ticks(axis, history.get_column("period").to_list(), step)
        axis.grid(alpha=0.3)
        axis.tick_params(axis="x", labelrotation=30)
    handles, labels = axes[1].get_legend_handles_labels()
    shown = dict(zip(labels, handles, strict=True))
    figure.legend(shown.values(), shown.keys(), loc="lower center", ncol=4, fontsize="small")
    figure.tight_layout(rect=(0, 0.1, 1, 1))
    return figure


def vendor_share_areas_figure(
    shares: pl.DataFrame, max_series: int = 4, max_vendors: int = 7
) -> Figure:
    """Vendor shares stacked over time, one panel per market and region (the largest few); past
    the largest vendors, the rest are stacked as one band, so hundreds of small vendors stay
    readable (and cheap to draw)."""
    plt = _pyplot()
    sizes = shares.group_by("market", "region").agg(pl.col("period").n_unique().alias("periods"))
    series = sizes.sort("periods", "market", "region", descending=[True, False, False]).head(
        max_series
    )
    count = max(series.height, 1)
    step = period_step(shares.get_column("period").to_list())
    figure, axes = plt.subplots(count, 1, figsize=(11, 3.6 * count), squeeze=False)
    for axis, (market, region, _) in zip(axes[:, 0], series.rows(), strict=False):
        one = shares.filter((pl.col("market") == market) & (pl.col("region") == region))
        largest = (
            one.group_by("vendor")
            .agg(pl.col("share").sum())
            .sort("share", "vendor", descending=[True, False])
            .get_column("vendor")
        )
        named = largest.head(max_vendors).to_list()
        others = f"{largest.len() - len(named)} other vendors"
        wide = (
            one.with_columns(
                pl.when(pl.col("vendor").is_in(named))
                .then(pl.col("vendor"))
                .otherwise(pl.lit(others))
                .alias("vendor")
            )
            .pivot(on="vendor", index="period", values="share", aggregate_function="sum")
            .sort("period")
            .fill_null(0)
        )
        # the last period's shares hold until its end, as every other period's do
        last = wide.tail(1)
        end = step.after(last.get_column("period").item())
        wide = pl.concat(
            [wide, last.with_columns(pl.lit(end).cast(wide.schema["period"]).alias("period"))]
        )
        vendors = [name for name in [*named, others] if name in wide.columns]
        axis.stackplot(
            wide.get_column("period").to_list(),
            [wide.get_column(name).to_list() for name in vendors],
            labels=vendors,
            colors=[PALETTE[index % len(PALETTE)] for index in range(len(vendors))],
            alpha=0.9,
            step="post",  # a period's shares hold until the next period, no slopes between
        )
        period_ticks(axis, wide.get_column("period").to_list()[:-1], step)
        axis.set_title(f"Vendor shares: {market} / {region}")
        axis.set_ylim(0, 1)
        axis.set_ylabel("share of the market")
        axis.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
        axis.grid(alpha=0.3)
    figure.tight_layout()
    return figure


def ranked_bars_figure(
    frame: pl.DataFrame, label: str, value: str, title: str, unit: str
) -> Figure:
    """Horizontal bars, best on top (missing values left out): e.g. tokens per watt per chip."""
    plt = _pyplot()
    ranked = frame.drop_nulls(value).sort(value, descending=True).head(20).reverse()
    figure, axis = plt.subplots(figsize=(10, 0.4 * max(ranked.height, 3) + 1.5))
    values = ranked.get_column(value).to_list()
    bars = axis.barh(ranked.get_column(label).to_list(), values, color=PALETTE[0])
    axis.bar_label(bars, labels=[_label(v or 0) for v in values], padding=2)
    axis.set_title(title)
    axis.set_xlabel(unit)
    axis.margins(x=0.15)
    axis.grid(axis="x", alpha=0.3)
    figure.tight_layout()
    return figure


# How a plan's options are marked by licence status: filled (obtainable without a licence), a
# cross (licence required) or hollow (unknown).
LICENCE_MARKERS = {
    "not_required": ("o", "obtainable without a licence"),
    "required": ("X", "licence required"),
    "unknown": ("o", "licence status unknown (hollow)"),
}


def plan_options_figure(options: pl.DataFrame, max_plans: int = 6) -> Figure:
    """One panel per sovereign compute plan: each option's cost per million tokens against the
    tokens/s the plan's power budget gets from it, coloured by manufacturer, licence-required
    options marked with a cross. Options without a cost (no price) are listed under the panel,
    not drawn at a made-up height."""
    plt = _pyplot()
    plans = sorted(set(options.get_column("plan").to_list()))[:max_plans]
    count = max(len(plans), 1)
    figure, axes = plt.subplots(count, 1, figsize=(10, 4.6 * count), squeeze=False)
    manufacturers = sorted({m for m in options.get_column("manufacturer").to_list() if m})
    colors = {name: PALETTE[index % len(PALETTE)] for index, name in enumerate(manufacturers)}
    for axis, plan in zip(axes[:, 0], plans, strict=False):
        rows = options.filter(pl.col("plan") == plan)
        drawn = rows.filter(
            pl.col("cost_per_million_tokens_usd").is_not_null()
            & pl.col("total_tokens_per_s").is_not_null()
        )
        for row in drawn.iter_rows(named=True):
            marker, _ = LICENCE_MARKERS.get(row["licence_status"], ("o", ""))
            color = colors.get(row["manufacturer"], PALETTE[-1])
            hollow = row["licence_status"] == "unknown"
            axis.scatter(
                row["total_tokens_per_s"] / 1e6,
                row["cost_per_million_tokens_usd"],
                marker=marker,
                s=90,
                facecolors="none" if hollow else color,
                edgecolors=color,
                linewidths=1.5,
            )
            axis.annotate(
                row["option"],
                (row["total_tokens_per_s"] / 1e6, row["cost_per_million_tokens_usd"]),
                textcoords="offset points",
                xytext=(6, 4),
                fontsize="small",
            )
        left_out = rows.height - drawn.height
        rule = rows.get_column("export_rule")[0] if rows.height else ""
        destination = rows.get_column("destination")[0] if rows.height else ""
        axis.set_title(f"{plan} ({destination}, {rule} rule)", fontsize="medium")
        axis.set_xlabel("tokens/s within the power budget (millions)")
        axis.set_ylabel("USD per million tokens")
        axis.margins(x=0.25, y=0.25)
        axis.grid(alpha=0.3)
        if left_out:
            axis.text(
                0.0,
                -0.22,
                f"{left_out} of {rows.height} options not drawn: no price (or no power figure) "
                "gives no cost; see analytics.sovereign_compute_plans.cost_note",
                transform=axis.transAxes,
                fontsize="small",
                color="#5f6b7a",
            )
        if drawn.height == 0:
            axis.text(0.5, 0.5, "no option with a cost", ha="center", transform=axis.transAxes)
    handles = [
        plt.Line2D([], [], marker="o", linestyle="", color=color, label=name)
        for name, color in colors.items()
    ] + [
        plt.Line2D(
            [],
            [],
            marker=marker,
            linestyle="",
            color="#5f6b7a",
            label=label,
            markerfacecolor="none" if status == "unknown" else "#5f6b7a",
        )
        for status, (marker, label) in LICENCE_MARKERS.items()
    ]
    figure.legend(handles=handles, loc="lower center", ncol=3, fontsize="small")
    figure.suptitle("Sovereign compute plans: cost per million tokens against tokens/s")
    figure.tight_layout(rect=(0, 0.06, 1, 0.97))
    return figure
