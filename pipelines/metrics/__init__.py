"""Metrics as pure functions of frames, testable without Dagster or a warehouse."""
