-- 删除旧表; 已经不用了
DROP TABLE IF EXISTS dim_shop;  -- !MC01
