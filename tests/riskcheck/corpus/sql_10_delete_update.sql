DELETE FROM dwd_refund; -- !MC06
DELETE FROM dwd_refund WHERE 1 = 1; -- !MC06
UPDATE dim_user SET status = 'x' WHERE TRUE; -- !MC06
UPDATE dim_user SET status = 'y'; -- !MC06
DELETE FROM dwd_refund WHERE ds = '${bizdate}' AND status = 'void';
UPDATE dim_user SET status = 'z' WHERE user_id = 42;
