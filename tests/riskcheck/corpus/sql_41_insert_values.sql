INSERT INTO TABLE dim_config VALUES ('k1', 'v1'), ('k2', 'v2');
INSERT OVERWRITE TABLE dim_config2 VALUES ('k', 'v'); -- !MC04
