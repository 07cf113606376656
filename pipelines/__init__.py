"""Sovereign AI Warehouse's pipeline: the Dagster code location (pipelines.definitions), the
`sovai` CLI (pipelines.cli) and what they share."""

from pipelines.gc_policy import collect_garbage_less_often

collect_garbage_less_often()  # before Dagster and the data libraries are imported (gc_policy.py)
