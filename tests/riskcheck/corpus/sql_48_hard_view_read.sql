-- 难例：通过视图读取分区表，分析器不知道视图背后的分区
CREATE TABLE IF NOT EXISTS dwd_big (id STRING) PARTITIONED BY (ds STRING);
CREATE VIEW IF NOT EXISTS v_big AS SELECT id, ds FROM dwd_big; -- !MC08
SELECT id FROM v_big; -- !miss:MC08
