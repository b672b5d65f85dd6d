-- 动态分区回刷
set odps.sql.allow.fullscan=true; -- !MC07
INSERT OVERWRITE TABLE dwd_backfill PARTITION (ds) -- !MC05
SELECT id, ds FROM ods_backfill WHERE ds >= '20240101'; -- !MC10
