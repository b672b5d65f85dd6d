INSERT OVERWRITE TABLE dwd_copy PARTITION (ds = '${bizdate}') -- !MC14
SELECT * FROM ods_copy WHERE ds = '${bizdate}';
INSERT INTO TABLE dwd_copy2 PARTITION (ds = '${bizdate}') -- !MC14
SELECT t.* FROM ods_copy t WHERE t.ds = '${bizdate}';
SELECT * FROM ods_copy WHERE ds = '${bizdate}';
