-- 难例：带时间的日期不算写死的分区日期
SELECT * FROM dwd_order WHERE ds = '2024-03-01 00:00:00'; -- !miss:MC10
