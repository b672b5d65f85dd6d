ALTER TABLE dwd_log PARTITION (ds = '${bizdate}') RENAME TO PARTITION (ds = '${yesterday}');
