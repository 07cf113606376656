"""Dagster assets, one module per domain; keys mirror warehouse schemas, groups mirror layers."""
