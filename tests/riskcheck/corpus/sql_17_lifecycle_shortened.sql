-- config: old=old/sql_17_lifecycle_shortened.sql
CREATE TABLE IF NOT EXISTS dwd_pay_di (
  pay_id STRING
) PARTITIONED BY (ds STRING)
LIFECYCLE 7; -- !MC13
