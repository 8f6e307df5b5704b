"""finflow.casepack."""
