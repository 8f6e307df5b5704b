"""finflow.detect."""
