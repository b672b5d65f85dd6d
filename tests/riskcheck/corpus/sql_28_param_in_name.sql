CREATE TABLE IF NOT EXISTS tmp_uv_${bizdate} LIFECYCLE 1 AS
SELECT user_id FROM dwd_visit WHERE ds = '${bizdate}';
INSERT OVERWRITE TABLE ads_uv PARTITION (ds = '${bizdate}')
SELECT COUNT(DISTINCT user_id) FROM tmp_uv_${bizdate};
DROP TABLE IF EXISTS tmp_uv_${bizdate}; -- !MC01
