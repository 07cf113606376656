"""Charts and the report come out of a real run: files per chart and version, images in metadata."""

import re

from tests.conftest import edit, run_job


def materializations(runs) -> dict[str, dict]:
    return {
        "/".join(event.asset_key.path): event.event_specific_data.materialization.metadata
        for event in runs.get_asset_materialization_events()
    }


def test_each_chart_is_saved_per_table_version_and_shown_in_its_metadata(warehouse, seeds):
    runs = run_job(warehouse, seeds)
    assert runs.success
    reports = warehouse.parent / "reports"
    assert sorted(path.name for path in reports.glob("*.png")) == [
        "accelerator_tokens_per_watt_chart-v1.png",
        "hhi_over_time_chart-v1.png",
        "platform_efficiency_chart-v1.png",
        "vendor_shares_chart-v1.png",
    ]
    metadata = materializations(runs)
    chart = metadata["reports/platform_efficiency_chart"]
    assert chart["chart"].value.startswith("![Platform efficiency")
    assert "(data:image/png;base64,iVBORw0KGgo" in chart["chart"].value  # a PNG signature
    assert chart["dagster/row_count"].value == 3
    assert (chart["source_table"].value, chart["source_version"].value) == (
        "analytics.platform_efficiency",
        1,
    )

    # A changed platform is a new table version, hence a new chart file; the old one stays.
    edit(seeds / "platforms.csv", "x86_current,100,350,", "x86_current,100,360,")
    assert run_job(warehouse, seeds, job="refresh_all").success
    assert (reports / "platform_efficiency_chart-v2.png").exists()
    assert (reports / "platform_efficiency_chart-v1.png").exists()


def test_the_report_page_holds_every_chart_the_key_tables_and_versions_offline(warehouse, seeds):
    assert run_job(warehouse, seeds).success
    page = (warehouse.parent / "reports" / "index.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<img alt="[^"]+" src="data:image/png;base64,', page)) == 4
    for heading in ["Platform efficiency", "Market concentration", "Table versions"]:
        assert f"<h2>{heading}" in page
    assert "<td>analytics.platform_efficiency</td>" in page
    assert "http://" not in page and "https://" not in page  # nothing fetched when opened
