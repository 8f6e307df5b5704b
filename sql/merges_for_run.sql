-- Entity-resolution merges of one run waiting for an investigator's confirmation.
SELECT left_customer, right_customer, method, party_id, evidence, confidence
FROM v_merges_for_review
WHERE run_id = :run_id
ORDER BY left_customer, right_customer, method
