"""Data-quality checks on what the warehouse publishes, shown in Dagster as asset checks.

contracts: what each table declares (keys, share and HHI columns, columns) in its asset metadata;
table_checks: the generic SQL checks run on every published table; validation: pandera results
as blocking checks; expectations: Great Expectations suites and Data Docs; freshness: when market
data counts as stale.
"""
