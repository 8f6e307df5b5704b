-- The parties of the cases of one run, by case rank then party score (highest first).
SELECT
    run_id, case_id, case_rank, case_band, case_score, party_id, name, role, alerted, hub,
    party_score, data_subject_category, possible_sanctions_matches, merges_for_review
FROM v_case_party_listing
WHERE run_id = :run_id
ORDER BY case_rank, party_score DESC, party_id
