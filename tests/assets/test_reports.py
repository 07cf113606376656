"""Charts and the report come out of a real run: files per chart and version, images in metadata."""

import re
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.assets.report_metadata import INLINE_MARKDOWN_LIMIT
from pipelines.assets.reporting import PREVIEW_COLUMNS
from pipelines.assets.reports import CHARTS as REPORT_CHARTS
from pipelines.assets.reports import FINGERPRINT_KEY, PNG_END, drawn_from, write_whole
from pipelines.definitions import build_definitions
from pipelines.reports import png_text
from tests.conftest import edit, private_resource, run_with_upstream

CHARTS = [
    "accelerator_tokens_per_watt_chart",
    "hhi_over_time_chart",
    "platform_efficiency_chart",
    "sovereign_compute_plans_chart",
    "vendor_shares_chart",
]


def materializations(runs) -> dict[str, dict]:
    return {
        "/".join(event.asset_key.path): event.event_specific_data.materialization.metadata
        for event in runs.get_asset_materialization_events()
    }


def test_each_chart_is_saved_per_table_version_and_shown_in_its_metadata(sovai_built, tmp_path):
    env = sovai_built.copy_to(tmp_path / "project")  # the user's first run: every chart, v1
    warehouse, seeds = Path(env["SOVAI_WAREHOUSE"]), Path(env["SOVAI_SEEDS_DIR"])
    reports = warehouse.parent / "reports"
    assert sorted(path.name for path in reports.glob("*.png")) == [f"{c}-v1.png" for c in CHARTS]

    # A changed platform is a new table version, hence a new chart file; the old one stays.
    edit(seeds / "platforms.csv", "x86_current,100,350,", "x86_current,100,360,")
    chart_key = dg.AssetKey(["reports", "platform_efficiency_chart"])
    runs = run_with_upstream(warehouse, seeds, chart_key)
    assert runs.success
    assert (reports / "platform_efficiency_chart-v2.png").exists()
    assert (reports / "platform_efficiency_chart-v1.png").exists()
    chart = materializations(runs)["reports/platform_efficiency_chart"]
    assert chart["chart"].value.startswith("![Platform efficiency")
    # an instance without local compute logs (this ephemeral one) gets the PNG in the Markdown
    assert "(data:image/png;base64,iVBORw0KGgo" in chart["chart"].value  # a PNG signature
    assert chart["dagster/row_count"].value == 3
    assert (chart["source_table"].value, chart["source_version"].value) == (
        "analytics.platform_efficiency",
        2,
    )


def test_a_chart_whose_data_is_unchanged_is_kept_and_one_cut_short_or_stale_is_drawn_again(
    sovai_built, tmp_path
):
    env = sovai_built.copy_to(tmp_path / "project")
    warehouse, seeds = Path(env["SOVAI_WAREHOUSE"]), Path(env["SOVAI_SEEDS_DIR"])
    chart = warehouse.parent / "reports" / "platform_efficiency_chart-v1.png"
    chart_key = dg.AssetKey(["reports", "platform_efficiency_chart"])
    drawn = chart.read_bytes()
    written = chart.stat().st_mtime_ns

    def redrawn() -> bool:
        runs = run_with_upstream(warehouse, seeds, chart_key)
        assert runs.success
        metadata = materializations(runs)["reports/platform_efficiency_chart"]
        assert chart.read_bytes().endswith(PNG_END), "always a whole PNG"
        assert "(data:image/png;base64,iVBORw0KGgo" in metadata["chart"].value  # still shown
        return metadata["redrawn"].value

    assert redrawn() is False  # nothing it draws from changed: the file is left alone
    assert chart.stat().st_mtime_ns == written and chart.read_bytes() == drawn

    chart.write_bytes(drawn[: len(drawn) // 2])  # cut short (a copy that stopped, a full disk)
    assert redrawn() is True

    fingerprint = png_text.text_of(drawn, FINGERPRINT_KEY)  # a file drawn from other data
    chart.write_bytes(drawn.replace(fingerprint.encode(), b"0" * len(fingerprint)))
    assert redrawn() is True
    assert png_text.text_of(chart.read_bytes(), FINGERPRINT_KEY) == fingerprint


def test_a_chart_that_cannot_be_written_leaves_no_partial_file(tmp_path):
    target = tmp_path / "chart-v1.png"
    target.mkdir()  # the rename onto it fails, as a full disk or a lost folder would fail it
    with pytest.raises(OSError):
        write_whole(target, b"\x89PNG...")
    assert [path.name for path in tmp_path.iterdir()] == ["chart-v1.png"]


def test_a_charts_fingerprint_follows_the_content_of_the_versions_it_draws(built):
    warehouse, seeds, landing = built
    resource = private_resource(warehouse, seeds, landing)
    spec = next(spec for spec in REPORT_CHARTS if spec.name == "hhi_over_time_chart")
    before = drawn_from(resource, spec)
    assert drawn_from(resource, spec) == before
    # A rebuilt warehouse numbers its versions from 1 again: the same version number with other
    # content, here the assumptions the chart's bands come from, is another chart.
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update meta.table_versions set content_hash = 'other' "
            "where view_name = 'raw.assumptions'"
        )
    assert drawn_from(resource, spec) != before


def test_the_report_page_holds_every_chart_the_key_tables_and_versions_offline(built_template):
    # the page a full build wrote beside its warehouse (the session's build, read only)
    page = (built_template.parent / "reports" / "index.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<img alt="[^"]+" src="data:image/png;base64,', page)) == len(CHARTS)
    for heading in [
        "Platform efficiency",
        "Market concentration",
        "Sovereign compute plans: cost per million tokens",
        "Sovereign compute plans: the cheapest and fastest",
        "Table versions",
    ]:
        assert f"<h2>{heading}" in page
    assert "<td>analytics.platform_efficiency</td>" in page
    assert "http://" not in page and "https://" not in page  # nothing fetched when opened


@pytest.fixture(scope="module")
def shown(sovai_built, tmp_path_factory: pytest.TempPathFactory):
    """The session's first `sovai run` (a copy of it), whose instance keeps its compute logs in
    local files, as `make ui`'s does: each asset's latest materialization's metadata, the
    instance and the warehouse."""
    env = sovai_built.copy_to(tmp_path_factory.mktemp("shown"))
    graph = build_definitions(expectations=False).resolve_asset_graph()
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        metadata = {
            "/".join(key.path): instance.get_latest_materialization_event(
                key
            ).asset_materialization.metadata
            for key in graph.materializable_asset_keys
        }
        yield metadata, instance, Path(env["SOVAI_WAREHOUSE"])


def test_each_chart_is_a_short_markdown_image_the_asset_page_shows_without_a_click(shown):
    metadata, instance, warehouse = shown
    for name in CHARTS:
        markdown = metadata[f"reports/{name}"]["chart"].value
        # The UI renders a Markdown value in place only under 1,000 characters
        assert len(markdown) < INLINE_MARKDOWN_LIMIT, name
        found = re.fullmatch(r"!\[[^\]]+\]\(/logs/([0-9a-f-]{36})/charts/(\w+)-v1/png\)", markdown)
        assert found and found.group(2) == name, markdown
        # served by the webserver's /logs route from the instance's compute-log folder
        log_key = [found.group(1), "charts", f"{name}-v1"]
        served = Path(instance.compute_log_manager.get_captured_local_path(log_key, "png"))
        saved = warehouse.parent / "reports" / f"{name}-v1.png"
        assert served.read_bytes() == saved.read_bytes(), name


def test_every_column_a_chart_or_the_report_shows_is_described(shown):
    metadata, _, _ = shown
    for key in [*(f"reports/{name}" for name in CHARTS), "reports/index"]:
        columns = metadata[key]["dagster/column_schema"].schema.columns
        assert columns, key
        undescribed = [column.name for column in columns if not column.description]
        assert undescribed == [], key
    accelerators = metadata["reports/accelerator_tokens_per_watt_chart"]["dagster/column_schema"]
    described = {column.name: column.description for column in accelerators.schema.columns}
    assert "rated power" in described["accelerator"]  # the chart's label, not the table's name


def test_the_widest_tables_preview_is_a_record_view_that_names_every_column(shown):
    metadata, _, _ = shown
    widths = {
        key: len(entries["dagster/column_schema"].schema.columns)
        for key, entries in metadata.items()
    }
    widest = max(widths, key=widths.__getitem__)
    assert widths[widest] > 40
    preview = metadata[widest]["preview"].value
    assert preview.startswith(f"All {widths[widest]} columns, one per line")
    lines = [line for line in preview.splitlines() if line.startswith("| ")]
    columns = [column.name for column in metadata[widest]["dagster/column_schema"].schema.columns]
    assert [line.split(" | ")[0].removeprefix("| ") for line in lines[2:]] == columns
    assert max(line.count(" | ") + 1 for line in lines) <= PREVIEW_COLUMNS


def test_no_materialization_carries_internal_json(shown):
    """JSON in metadata is only ever a flat list of names a user reads (landing files, unmatched
    accelerator names), never a structure of settings."""
    metadata, _, _ = shown
    for key, entries in metadata.items():
        assert "sovai/contract" not in entries, key
        for label, value in entries.items():
            if isinstance(value, dg.JsonMetadataValue):
                assert isinstance(value.data, list), (key, label)
                assert all(isinstance(item, str) for item in value.data), (key, label)
