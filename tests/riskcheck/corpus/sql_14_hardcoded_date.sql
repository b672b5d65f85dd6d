INSERT OVERWRITE TABLE dws_gmv PARTITION (ds = '20240301') -- !MC10
SELECT SUM(amount) FROM dwd_order WHERE ds = '2024-03-01'; -- !MC10
SELECT * FROM dwd_order WHERE dt BETWEEN '20240101' -- !MC10
  AND '20240131'; -- !MC10
SELECT * FROM dwd_order WHERE pay_date = '20240101';
SELECT * FROM dwd_order WHERE ds = '${bizdate}';
