-- v_case_listing: one row per ranked case, for listings and the case-pack index.
-- Created by the store's Alembic migrations; a change here needs a new migration.
CREATE VIEW v_case_listing AS
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
FROM cases
