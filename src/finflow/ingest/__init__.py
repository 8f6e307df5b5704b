"""finflow.ingest."""
