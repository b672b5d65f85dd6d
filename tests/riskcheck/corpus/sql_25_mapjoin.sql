INSERT OVERWRITE TABLE dws_order_city PARTITION (ds = '${bizdate}')
SELECT /*+ MAPJOIN(c) */ o.order_id, c.city_name
FROM dwd_order o
JOIN dim_city c ON o.city_id = c.city_id
WHERE o.ds = '${bizdate}';
