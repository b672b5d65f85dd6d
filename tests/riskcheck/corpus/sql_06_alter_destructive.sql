ALTER TABLE dwd_order_di DROP IF EXISTS PARTITION (ds = '${bizdate}'); -- !MC03
ALTER TABLE dim_user CHANGE COLUMN age age BIGINT COMMENT '年龄'; -- !MC03
ALTER TABLE dim_user_old RENAME TO dim_user_bak; -- !MC03
ALTER TABLE dim_user DROP COLUMNS (nick_name, avatar); -- !MC03
