"""finflow.validate."""
