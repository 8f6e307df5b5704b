-- v_alert_summary: alerts and evidence transactions per run and rule version.
-- Created by the store's Alembic migrations; a change here needs a new migration.
CREATE VIEW v_alert_summary AS
SELECT
    run_id,
    rule_id,
    rule_version,
    COUNT(*) AS n_alerts,
    SUM(n_evidence) AS n_evidence
FROM alerts
GROUP BY run_id, rule_id, rule_version
