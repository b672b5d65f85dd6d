-- 设置；参数
set odps.sql.mapper.split.size=256; -- 单位 MB; 不要改
set odps.sql.reducer.instances=50;
INSERT OVERWRITE TABLE dws_z PARTITION (ds = '${bizdate}')
SELECT k, COUNT(1) FROM dwd_z WHERE ds = '${bizdate}' GROUP BY k;
