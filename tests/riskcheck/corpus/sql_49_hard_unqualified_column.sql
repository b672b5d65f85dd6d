-- 难例：未限定的 ds 来自另一张表时，仍被当成分区过滤
CREATE TABLE IF NOT EXISTS dwd_p (id STRING, k STRING) PARTITIONED BY (ds STRING);
SELECT p.id FROM dwd_p p JOIN dim_q q ON p.k = q.k WHERE ds = '${bizdate}'; -- !miss:MC08
