-- config: protected=ods_*,retail_dw.dim_core_*
INSERT OVERWRITE TABLE ods_trade PARTITION (ds = '${bizdate}') -- !MC18
SELECT a, b FROM stage_trade WHERE ds = '${bizdate}';
DROP TABLE IF EXISTS retail_dw.dim_core_user; -- !MC01 !MC18
ALTER TABLE ods_trade ADD COLUMNS (c STRING); -- !MC18
SELECT a FROM ods_trade WHERE ds = '${bizdate}';
