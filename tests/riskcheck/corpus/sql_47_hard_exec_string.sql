-- 难例：字符串拼出的表名无法判断
SELECT CONCAT('DROP TABLE ', t) FROM meta_tables;
