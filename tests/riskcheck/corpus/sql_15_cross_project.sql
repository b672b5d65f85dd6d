-- config: projects=retail_dw,retail_dw_dev
INSERT OVERWRITE TABLE finance_prd.ads_revenue PARTITION (ds = '${bizdate}') -- !MC11 !MC14
SELECT * FROM retail_dw.dws_revenue WHERE ds = '${bizdate}';
INSERT INTO TABLE retail_dw_dev.dws_revenue PARTITION (ds = '${bizdate}')
SELECT a FROM other_prj.src WHERE ds = '${bizdate}';
CREATE TABLE finance_prd.snapshot_x AS SELECT a FROM retail_dw.t; -- !MC11
CREATE TABLE IF NOT EXISTS finance_prd.plain_x (a STRING);
