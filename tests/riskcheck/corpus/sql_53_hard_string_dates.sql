-- 难例：常量表达式被当作字面量之外的东西
SELECT * FROM dwd_order WHERE ds = CONCAT('2024', '0301'); -- !miss:MC10
SELECT * FROM dwd_order WHERE ds = TO_CHAR(DATEADD(TO_DATE('${bizdate}', 'yyyymmdd'), -1, 'dd'), 'yyyymmdd');
