sql = "x"
inst = o.run_sql(  # !MC15
    """
-- 清空
TRUNCATE TABLE ads_daily; -- !MC02
"""
)
inst.wait_for_success()
