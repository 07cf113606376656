"""Sovereign compute plans: what each plan (seeds/plans/*.yaml) can obtain under the export rule
at its destination, what that delivers within its power and what it costs and emits, with the
sensitivity of its ranking and a one-row summary per plan (all SQL in sql/analytics/)."""

from pipelines.assets.sql_models import sql_table_asset

PLAN_ASSETS = [
    sql_table_asset("sovereign_compute_plans"),
    sql_table_asset("sovereign_compute_plan_sensitivity"),
    sql_table_asset("sovereign_compute_plan_summary"),
]
