"""finflow.synth."""
