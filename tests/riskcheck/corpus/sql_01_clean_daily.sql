--odps sql
--********************************************************************--
--author: 张三
--create time: 2024-03-01 10:00:00
--********************************************************************--
--@exclude_input=ods_raw_log
set odps.sql.type.system.odps2=true;
set odps.sql.hive.compatible=true;
INSERT OVERWRITE TABLE dwd_user_login_di PARTITION (ds = '${bizdate}')
SELECT user_id, login_time, ip
FROM ods_user_login
WHERE ds = '${bizdate}';
