-- 难例：SELECT 里的 max_pt 与分区过滤
SELECT * FROM dwd_order WHERE ds = max_pt('prj.dwd_order') -- !MC09
AND city = 'hz';
