tunnel upload /home/admin/data.txt ods_upload; -- !MC17
SELECT user_id FROM dim_user WHERE ds = '${bizdate}';
SELECT FROM WHERE ;; -- !MC17
