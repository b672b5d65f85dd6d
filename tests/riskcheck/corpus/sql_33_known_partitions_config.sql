-- config: partitions=ods_log:ds+hh
SELECT COUNT(*) FROM ods_log WHERE ip = '1.1.1.1'; -- !MC08
SELECT COUNT(*) FROM ods_log WHERE hh = '01' AND ds = '${bizdate}';
SELECT COUNT(*) FROM ods_log l JOIN dim_ip i ON l.ip = i.ip AND l.ds = '${bizdate}';
