INSERT OVERWRITE TABLE dws_shop PARTITION (ds = '${bizdate}')
SELECT shop_id, shop_name
FROM dim_shop_src
WHERE ds = MAX_PT('dim_shop_src'); -- !MC09
-- max_pt('x') in a comment does not count
SELECT 'max_pt(1)' FROM dual;
