-- The cases of one run, best first. One bind parameter, run_id (named in the WHERE clause).
SELECT
    case_id,
    run_id,
    rank,
    score,
    band,
    total_value_gbp,
    n_accounts,
    n_transactions,
    typologies
FROM v_case_listing
WHERE run_id = :run_id
ORDER BY rank, case_id
