-- 中文字段
INSERT OVERWRITE TABLE `报表_销售` PARTITION (ds = '${bizdate}')
SELECT `门店`, SUM(`金额`) AS `总金额`
FROM `明细_销售`
WHERE ds = '${bizdate}'
GROUP BY `门店`;
DROP TABLE IF EXISTS `报表_旧`; -- !MC01
