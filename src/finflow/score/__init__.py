"""finflow.score."""
