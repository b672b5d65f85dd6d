DELETE FROM dwd_tmp_log WHERE ds = '${bizdate}' OR 1 = 1; -- !MC06
UPDATE dim_x SET v = 1 WHERE (1 = 1); -- !MC06
DELETE FROM dwd_tmp_log WHERE 1 = 1 AND ds = '${bizdate}';
