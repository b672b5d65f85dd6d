@orders := SELECT order_id, amount FROM dwd_order WHERE ds = '${bizdate}';
@paid := SELECT * FROM @orders WHERE amount > 0;
INSERT OVERWRITE TABLE dws_paid PARTITION (ds = '${bizdate}')
SELECT order_id, amount FROM @paid;
