-- 全量刷新维表
INSERT OVERWRITE TABLE dim_sku -- !MC04
SELECT sku_id, sku_name, price
FROM ods_sku
WHERE ds = '${bizdate}';
