-- v_case_party_listing: one row per party of a ranked case, for listings and review queues.
-- Created by the store's Alembic migration 0002; a change here needs a new migration.
CREATE VIEW v_case_party_listing AS
SELECT
    cp.run_id,
    cp.case_id,
    c.rank AS case_rank,
    c.band AS case_band,
    c.score AS case_score,
    cp.party_id,
    p.name,
    cp.role,
    cp.alerted,
    cp.hub,
    cp.score AS party_score,
    p.data_subject_category,
    (
        SELECT COUNT(*) FROM screening_results s
        WHERE s.run_id = cp.run_id AND s.party_id = cp.party_id
    ) AS possible_sanctions_matches,
    (
        SELECT COUNT(*) FROM party_merges m
        WHERE m.run_id = cp.run_id AND m.party_id = cp.party_id AND m.needs_review
    ) AS merges_for_review
FROM case_parties cp
JOIN cases c ON c.run_id = cp.run_id AND c.case_id = cp.case_id
JOIN parties p ON p.run_id = cp.run_id AND p.party_id = cp.party_id
