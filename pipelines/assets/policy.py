"""National AI policy: instruments, export-control thresholds, AI Act categories, effectiveness."""

from pipelines.assets.sql_models import sql_table_asset

POLICY_ASSETS = [
    sql_table_asset("policy_instruments"),
    sql_table_asset("export_control_thresholds"),
    sql_table_asset("ai_act_risk_categories"),
    sql_table_asset("policy_effectiveness"),
]
