CREATE TABLE IF NOT EXISTS ods_click (
  user_id STRING COMMENT '用户',
  url STRING
) PARTITIONED BY (ds STRING, hh STRING) LIFECYCLE 30;

INSERT OVERWRITE TABLE dws_click_cnt PARTITION (ds = '${bizdate}')
SELECT user_id, COUNT(*)
FROM ods_click -- !MC08
GROUP BY user_id;

INSERT OVERWRITE TABLE dws_click_cnt2 PARTITION (ds = '${bizdate}')
SELECT c.user_id, COUNT(*)
FROM ods_click c
WHERE c.ds = '${bizdate}'
GROUP BY c.user_id;
