TRUNCATE TABLE ads_gmv_report; -- !MC02
TRUNCATE TABLE tmp_gmv_report; -- !MC02
