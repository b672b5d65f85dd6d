-- 脚本模式：IF 语句（解析器不支持）
@cnt := SELECT COUNT(*) FROM dwd_order WHERE ds = '${bizdate}';
IF (@cnt > 0) BEGIN -- !MC17
  INSERT OVERWRITE TABLE ads_flag PARTITION (ds = '${bizdate}') SELECT 1; -- !miss:MC17
END
