-- 连接外部表
CREATE EXTERNAL TABLE IF NOT EXISTS ext_oss_log (line STRING)
STORED AS TEXTFILE
LOCATION 'oss://LTAI5tQwErTyUiOpAsDf:secret@oss-cn-hangzhou-internal.aliyuncs.com/bucket/log/'; -- !MC16
