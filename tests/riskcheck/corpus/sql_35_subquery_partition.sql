CREATE TABLE IF NOT EXISTS dwd_fact (id STRING) PARTITIONED BY (dt STRING);
SELECT f.id FROM (
  SELECT id FROM dwd_fact -- !MC08
) f
WHERE f.dt = '${bizdate}';
