WITH paid AS (
  SELECT order_id, amount FROM dwd_order WHERE ds = '${bizdate}' AND status = 'paid'
)
INSERT OVERWRITE TABLE dws_paid2 PARTITION (ds = '${bizdate}')
SELECT order_id, amount FROM paid;
