INSERT OVERWRITE TABLE dws_x PARTITION (ds = '$[yyyymmdd-1]')
SELECT a FROM dwd_x WHERE ds = '$[yyyymmdd-1]' AND hh = '$[hh24]';
INSERT OVERWRITE TABLE dws_y PARTITION (ds = ${bizdate})
SELECT a FROM dwd_y WHERE ds = ${bizdate};
