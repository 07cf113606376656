"""A hyperscaler's infrastructure plan."""

from pipelines.assets.sql_models import sql_table_asset

INFRASTRUCTURE_ASSETS = [sql_table_asset("infrastructure_deployments")]
