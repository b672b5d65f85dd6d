SELECT * FROM dwd_order WHERE order_id = '20241399';
SELECT * FROM dwd_order WHERE ds = '${bizdate}' AND amount > 20240101;
