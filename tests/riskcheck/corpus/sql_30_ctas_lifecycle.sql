CREATE TABLE IF NOT EXISTS tmp_calc LIFECYCLE 3 AS
SELECT user_id, SUM(amount) AS amt FROM dwd_order WHERE ds = '${bizdate}' GROUP BY user_id;
