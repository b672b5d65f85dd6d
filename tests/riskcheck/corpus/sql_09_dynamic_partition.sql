INSERT OVERWRITE TABLE dwd_event_hi PARTITION (ds = '${bizdate}', hh) -- !MC05
SELECT event_id, event_type, hh
FROM ods_event
WHERE ds = '${bizdate}';
INSERT INTO TABLE dwd_event_log PARTITION (ds)
SELECT event_id, ds FROM ods_event WHERE ds >= '${bizdate}';
