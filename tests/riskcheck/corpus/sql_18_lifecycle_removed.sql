-- config: old=old/sql_18_lifecycle_removed.sql
CREATE TABLE IF NOT EXISTS dim_city (city_id STRING, city_name STRING); -- !MC13
CREATE TABLE IF NOT EXISTS dim_area (area_id STRING) LIFECYCLE 400;
