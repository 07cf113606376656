"""The versioned DuckDB warehouse: publishing, locking, read-only access."""
