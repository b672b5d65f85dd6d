-- 多路输出
FROM ods_order o
INSERT OVERWRITE TABLE dwd_order_paid PARTITION (ds = '${bizdate}')
SELECT o.order_id, o.amount WHERE o.status = 'paid' AND o.ds = '${bizdate}'
INSERT OVERWRITE TABLE dwd_order_all -- !MC04
SELECT o.order_id, o.amount WHERE o.ds = '${bizdate}';
