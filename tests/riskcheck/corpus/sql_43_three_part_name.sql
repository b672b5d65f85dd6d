-- config: projects=retail_dw
INSERT OVERWRITE TABLE retail_dw.default.dws_a PARTITION (ds = '${bizdate}')
SELECT a FROM x.default.src WHERE ds = '${bizdate}';
INSERT OVERWRITE TABLE mkt_prd.default.dws_b PARTITION (ds = '${bizdate}') -- !MC11
SELECT a FROM x.default.src WHERE ds = '${bizdate}';
