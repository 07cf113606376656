"""Reading seed files into validated frames (the raw layer)."""
