"""What a chart's or the report's materialization shows in the Dagster UI: the image, and the
row count, documented columns and preview of the data drawn.

The image. The asset page's Metadata table renders a Markdown value in place only when it is
under 1,000 characters; a longer one (a chart as a data: URI is some 100,000) waits behind a
"[Show Markdown]" link. Its Markdown takes images from http(s) and data: sources, and of the
webserver's routes only one returns a file a run wrote, as it is: /logs/<key...>/<extension>,
any file under the instance's compute-log folder (the route behind the UI's log downloads). So
a chart is also written there, into its run's folder beside the run's step logs, and the
metadata is a short Markdown image of it, which the page shows as it loads. An instance whose
compute logs are not local files gets the PNG as a data: URI instead, one click away.
"""

import base64
from collections.abc import Mapping
from pathlib import Path

import dagster as dg
import polars as pl
from dagster._core.storage.local_compute_log_manager import LocalComputeLogManager

from pipelines.assets.reporting import column_schema, markdown_preview
from pipelines.resources import WarehouseResource

INLINE_MARKDOWN_LIMIT = 1000  # the UI renders shorter Markdown values in place
LOGS_ROUTE = "/logs"  # dagster-webserver's route serving files of the compute-log folder


def image_markdown(title: str, png: bytes) -> str:
    """The PNG inside the Markdown (a data: URI): readable anywhere, shown after one click."""
    encoded = base64.b64encode(png).decode("ascii")
    return f"![{_alt(title)}](data:image/png;base64,{encoded})"


def chart_markdown(
    context: dg.AssetExecutionContext, name: str, version: int, title: str, png: bytes
) -> str:
    """A Markdown image the asset page shows in place: the chart saved beside the run's logs,
    where the webserver serves it (a data: URI when the compute logs are not local files)."""
    manager = context.instance.compute_log_manager
    if not isinstance(manager, LocalComputeLogManager):
        return image_markdown(title, png)
    log_key = [context.run.run_id, "charts", f"{name}-v{version}"]
    path = Path(manager.get_captured_local_path(log_key, "png"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    return f"![{_alt(title)}]({LOGS_ROUTE}/{'/'.join(log_key)}/png)"


def _alt(title: str) -> str:
    return title.replace("[", "(").replace("]", ")")


def column_comments(warehouse: WarehouseResource, view: str) -> dict[str, str]:
    """The documented columns of a published view, as its column comments say."""
    schema, table = view.split(".")
    comments = warehouse.query(
        "select column_name, comment from duckdb_columns() where database_name = "
        "current_database() and schema_name = ? and table_name = ? and comment is not null",
        [schema, table],
    )
    return dict(comments.iter_rows())


def data_metadata(frame: pl.DataFrame, descriptions: Mapping[str, str]) -> dict[str, object]:
    """Row count, schema (with each column's description) and preview of the data a chart or
    page shows, like every table's."""
    return {
        "dagster/row_count": frame.height,
        "dagster/column_schema": column_schema(
            [(name, str(dtype)) for name, dtype in frame.schema.items()], descriptions
        ),
        "preview": dg.MetadataValue.md(markdown_preview(frame)),
    }
