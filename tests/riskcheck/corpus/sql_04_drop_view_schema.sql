DROP VIEW IF EXISTS v_user_summary; -- !MC01
DROP MATERIALIZED VIEW mv_gmv_daily; -- !MC01
DROP SCHEMA staging; -- !MC01
