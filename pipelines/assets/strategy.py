"""A buyer's vendor strategy: switching costs, benefits and net position."""

from pipelines.assets.sql_models import sql_table_asset

STRATEGY_ASSETS = [
    sql_table_asset("switching_costs"),
    sql_table_asset("strategy_benefits"),
    sql_table_asset("strategy_position"),
]
