-- v_merges_for_review: entity-resolution merges NOT applied, waiting for an investigator.
-- Created by the store's Alembic migration 0002; a change here needs a new migration.
CREATE VIEW v_merges_for_review AS
SELECT
    run_id,
    left_customer,
    right_customer,
    method,
    party_id,
    evidence,
    confidence
FROM party_merges
WHERE needs_review
