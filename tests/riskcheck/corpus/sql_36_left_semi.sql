SELECT a.user_id FROM dwd_a a LEFT SEMI JOIN dwd_b b ON a.user_id = b.user_id AND b.ds = '${bizdate}'
WHERE a.ds = '${bizdate}';
SELECT a.user_id FROM dwd_a a LEFT ANTI JOIN dwd_b b ON TRUE WHERE a.ds = '${bizdate}'; -- !MC12
