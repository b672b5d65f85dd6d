-- 临时表清理
DROP TABLE IF EXISTS tmp_order_${bizdate};  -- !MC01
DROP TABLE IF EXISTS order_stage_tmp; -- !MC01
DROP TABLE IF EXISTS TEMP_Calc; -- !MC01
