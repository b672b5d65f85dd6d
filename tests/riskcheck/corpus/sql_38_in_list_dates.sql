SELECT * FROM dwd_order WHERE ds IN ('20240101', '20240102'); -- !MC10
SELECT * FROM dwd_order WHERE ds IN ('${bizdate}', '${yesterday}');
