set odps.sql.allow.fullscan=true; -- !MC07
SET odps.sql.allow.fullscan = 'true'; -- !MC07
set odps.sql.allow.fullscan=false;
SELECT COUNT(*) FROM ods_log;
