"""finflow.store."""
