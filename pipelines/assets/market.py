"""Vendor concentration (HHI) and supply-chain risk."""

from pipelines.assets.sql_models import sql_table_asset

market_concentration = sql_table_asset("market_concentration")
vendor_risk = sql_table_asset("vendor_risk")

MARKET_ASSETS = [market_concentration, vendor_risk]
