INSERT OVERWRITE TABLE dwd_union PARTITION (ds = '${bizdate}') -- !MC14
SELECT a, b FROM src1 WHERE ds = '${bizdate}'
UNION ALL
SELECT * FROM src2 WHERE ds = '${bizdate}';
