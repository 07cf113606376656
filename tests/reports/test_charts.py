"""Charts are drawn from frames alone, headless, with the values a reader needs written on them."""

import io
from datetime import date

import polars as pl
from PIL import Image

from pipelines.reports import charts

PLATFORMS = pl.DataFrame(
    {
        "platform": ["x86_current", "grace_cpu"],
        "performance_per_watt": [0.2857, 0.5179],
        "tokens_per_s_per_1k_usd": [1875.0, 2933.3],
        "tco_usd": [9379.7, 8603.76],
        "co2_kg_per_million_tokens": [0.002593, 0.001414],
    }
)
THRESHOLDS = {
    "hhi_2010_moderate_from": 1500,
    "hhi_2010_high_above": 2500,
    "hhi_2023_moderate_from": 1000,
    "hhi_2023_high_above": 1800,
}


def texts_of(axis) -> list[str]:
    return [text.get_text() for text in axis.texts]


def test_the_efficiency_grid_has_the_articles_four_panels_with_value_labels():
    figure = charts.efficiency_grid_figure(PLATFORMS)
    titles = [axis.get_title() for axis in figure.axes]
    assert titles == [
        "Performance per watt (higher is better)",
        "Throughput per 1,000 USD (higher is better)",
        "Total cost of ownership (lower is better)",
        "CO2 per million tokens (lower is better)",
    ]
    assert texts_of(figure.axes[0]) == ["0.286", "0.518"]
    assert texts_of(figure.axes[2]) == ["9,380", "8,604"]
    assert texts_of(figure.axes[3]) == ["0.00259", "0.00141"]
    assert figure.axes[3].get_ylabel() == "kg CO2e"


def test_a_chart_becomes_a_png_image():
    data = charts.png(charts.efficiency_grid_figure(PLATFORMS))
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    assert image.width > 800 and image.height > 500


def test_hhi_over_time_draws_each_series_over_both_guidelines_bands():
    history = pl.DataFrame(
        {
            "period": [date(2026, 1, 1), date(2026, 2, 1), date(2026, 1, 1)],
            "market": ["gpus", "gpus", "cpus"],
            "region": ["global", "global", "eu"],
            "hhi": [7300.0, 6600.0, 1200.0],
        }
    )
    figure = charts.hhi_over_time_figure(history, THRESHOLDS)
    for axis, (moderate, high) in zip(figure.axes, [(1500, 2500), (1000, 1800)], strict=True):
        bands = [patch.get_y() for patch in axis.patches]
        assert bands == [0, moderate, high]
        lines = {line.get_label(): list(line.get_ydata()) for line in axis.get_lines()}
        # each series' last value is drawn again at the end of its period, which it holds to
        assert lines == {"cpus / eu": [1200.0] * 2, "gpus / global": [7300.0, 6600.0, 6600.0]}


def test_vendor_shares_stack_to_the_whole_market():
    shares = pl.DataFrame(
        {
            "period": [date(2026, 1, 1)] * 2 + [date(2026, 2, 1)] * 3,
            "market": ["gpus"] * 5,
            "region": ["global"] * 5,
            "vendor": ["nvidia", "amd", "nvidia", "amd", "intel"],
            "share": [0.8, 0.2, 0.7, 0.2, 0.1],
        }
    )
    figure = charts.vendor_share_areas_figure(shares)
    (axis,) = figure.axes
    stacked_top = axis.collections[-1].get_paths()[0].vertices[:, 1].max()
    assert abs(stacked_top - 1.0) < 1e-9
    assert [text.get_text() for text in axis.get_legend().get_texts()] == ["nvidia", "amd", "intel"]


def test_ranked_bars_put_the_best_on_top_with_their_values():
    frame = pl.DataFrame({"chip": ["a", "b", "c"], "tokens_per_w": [2.5, 11.26, None]})
    figure = charts.ranked_bars_figure(frame, "chip", "tokens_per_w", "t", "tokens/s per W")
    (axis,) = figure.axes
    assert [label.get_text() for label in axis.get_yticklabels()] == ["a", "b"]
    assert texts_of(axis) == ["2.50", "11.26"]


def test_past_the_largest_vendors_the_rest_stack_as_one_band():
    vendors = [f"v{index}" for index in range(10)]
    shares = pl.DataFrame(
        {
            "period": [date(2026, 1, 1)] * 10,
            "market": ["gpus"] * 10,
            "region": ["global"] * 10,
            "vendor": vendors,
            "share": [0.5, 0.2, 0.1, 0.05, 0.05, 0.04, 0.03, 0.01, 0.01, 0.01],
        }
    )
    (axis,) = charts.vendor_share_areas_figure(shares, max_vendors=3).axes
    labels = [text.get_text() for text in axis.get_legend().get_texts()]
    assert labels == ["v0", "v1", "v2", "7 other vendors"]
    top = axis.collections[-1].get_paths()[0].vertices[:, 1].max()
    assert abs(top - 1.0) < 1e-9


def test_hhi_over_time_draws_the_longest_series_and_says_how_many_it_leaves_out():
    history = pl.DataFrame(
        {
            "period": [date(2026, month, 1) for month in (1, 2)] * 3 + [date(2026, 1, 1)] * 2,
            "market": ["a", "a", "b", "b", "c", "c", "d", "e"],
            "region": ["global"] * 8,
            "hhi": [1000.0] * 8,
        }
    )
    figure = charts.hhi_over_time_figure(history, THRESHOLDS, max_series=4)
    for axis in figure.axes:
        labels = {line.get_label() for line in axis.get_lines()}
        assert labels == {"a / global", "b / global", "c / global", "d / global"}
        assert axis.get_title().endswith("(1 more markets/regions not drawn)")


def _tick_dates(axis) -> list[date]:
    import matplotlib.dates as mdates

    axis.figure.canvas.draw()
    low, high = axis.get_xlim()
    return [mdates.num2date(tick).date() for tick in axis.get_xticks() if low <= tick <= high]


def _monthly_history(months: int) -> pl.DataFrame:
    periods = [date(2020 + index // 12, 1 + index % 12, 1) for index in range(months)]
    return pl.DataFrame(
        {
            "period": periods,
            "market": ["gpus"] * months,
            "region": ["global"] * months,
            "hhi": [5000.0 + index for index in range(months)],
        }
    )


def test_monthly_data_gets_month_start_ticks_and_steps_not_slopes():
    figure = charts.hhi_over_time_figure(_monthly_history(6), THRESHOLDS)
    for axis in figure.axes:
        ticks = _tick_dates(axis)
        assert ticks and all(tick.day == 1 for tick in ticks), ticks  # not every 4 days
        assert {line.get_drawstyle() for line in axis.get_lines()} == {"steps-post"}


def test_twenty_years_of_months_get_year_ticks():
    figure = charts.hhi_over_time_figure(_monthly_history(240), THRESHOLDS)
    ticks = _tick_dates(figure.axes[0])
    assert 3 <= len(ticks) <= 12
    assert all((tick.month, tick.day) == (1, 1) for tick in ticks), ticks


def test_period_shares_are_drawn_as_steps():
    months = [date(2026, month, 1) for month in (1, 2, 3)]
    shares = pl.DataFrame(
        {
            "period": months * 2,
            "market": ["gpus"] * 6,
            "region": ["global"] * 6,
            "vendor": ["nvidia"] * 3 + ["amd"] * 3,
            "share": [0.8, 0.7, 0.6, 0.2, 0.3, 0.4],
        }
    )
    axis = charts.vendor_share_areas_figure(shares).axes[0]
    assert all(tick.day == 1 for tick in _tick_dates(axis))
    # a stepped fill has two vertices per period boundary: its top edge is horizontal
    (nvidia, *_) = axis.collections
    top = nvidia.get_paths()[0].vertices
    assert len(top) > 2 * len(months) + 2


def test_a_plan_panel_marks_licence_required_options_and_lists_those_without_a_cost():
    options = pl.DataFrame(
        {
            "plan": ["eu", "eu", "eu", "gulf"],
            "option": [
                "Alpha X1 (500 W)",
                "Beta B2 (400 W)",
                "Alpha Z9 (800 W)",
                "Beta B2 (400 W)",
            ],
            "manufacturer": ["Alpha", "Beta", "Alpha", "Beta"],
            "destination": ["germany", "germany", "germany", "saudi_arabia"],
            "export_rule": [2023, 2023, 2023, 2023],
            "licence_status": ["not_required", "not_required", "required", "required"],
            "total_tokens_per_s": [1.666e6, 1.2e6, 2.0e6, 1.2e6],
            "cost_per_million_tokens_usd": [0.47, None, 0.37, 0.46],
        }
    )
    figure = charts.plan_options_figure(options)
    eu, gulf = figure.axes
    assert eu.get_title() == "eu (germany, 2023 rule)"
    assert len(eu.collections) == 2, "the option without a cost is not drawn"
    assert any("1 of 3 options not drawn" in text.get_text() for text in eu.texts)
    # colour by manufacturer: the two Alpha options share one
    alpha_x1, alpha_z9 = (collection.get_facecolors()[0] for collection in eu.collections)
    assert list(alpha_x1) == list(alpha_z9)
    # a licence-required option is a cross, not a disc
    assert len(eu.collections[1].get_paths()[0].vertices) != len(
        eu.collections[0].get_paths()[0].vertices
    )
    legend = [text.get_text() for text in figure.legends[0].get_texts()]
    assert {"Alpha", "Beta", "licence required", "obtainable without a licence"} <= set(legend)
    assert gulf.get_title() == "gulf (saudi_arabia, 2023 rule)"


def test_a_single_period_is_drawn_one_period_wide_with_two_ticks():
    import matplotlib.dates as mdates

    february, march = date(2026, 2, 1), date(2026, 3, 1)
    shares = pl.DataFrame(
        {
            "period": [february] * 2,
            "market": ["gpus"] * 2,
            "region": ["global"] * 2,
            "vendor": ["nvidia", "amd"],
            "share": [0.7, 0.3],
        }
    )
    axis = charts.vendor_share_areas_figure(shares).axes[0]
    edges = axis.collections[0].get_paths()[0].vertices[:, 0]
    assert [mdates.num2date(x).date() for x in (edges.min(), edges.max())] == [february, march]
    assert _tick_dates(axis) == [february, march]

    history = pl.DataFrame(
        {"period": [february], "market": ["gpus"], "region": ["global"], "hhi": [7338.0]}
    )
    for axis in charts.hhi_over_time_figure(history, THRESHOLDS).axes:
        (line,) = axis.get_lines()
        assert list(line.get_xdata()) == [february, march]
        assert _tick_dates(axis) == [february, march]  # not 60 months written over each other


def test_a_series_last_period_is_as_wide_as_the_shortest_gap_between_periods():
    history = pl.DataFrame(
        {
            "period": [date(2026, 1, 1), date(2026, 2, 1), date(2026, 4, 1)],  # March missing
            "market": ["gpus"] * 3,
            "region": ["global"] * 3,
            "hhi": [5000.0, 5100.0, 5200.0],
        }
    )
    axis = charts.hhi_over_time_figure(history, THRESHOLDS).axes[0]
    (line,) = axis.get_lines()
    assert list(line.get_xdata())[-2:] == [date(2026, 4, 1), date(2026, 5, 1)]
    assert list(line.get_ydata())[-2:] == [5200.0, 5200.0]
