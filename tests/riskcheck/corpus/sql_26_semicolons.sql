-- 注释里有分号; 不应切分
SELECT CONCAT('a;b', ';') AS s /* ; 注释 ; */ FROM dual;
SELECT regexp_replace(remark, ';', ',') FROM dwd_note WHERE ds = '${bizdate}';
/* 块注释
   DROP TABLE dim_shop;
*/
SELECT 'DROP TABLE dim_shop;' FROM dual;
