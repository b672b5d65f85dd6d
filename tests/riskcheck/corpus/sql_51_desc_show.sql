DESC dim_user;
SHOW PARTITIONS dwd_order;
USE retail_dw;
SELECT 1;
