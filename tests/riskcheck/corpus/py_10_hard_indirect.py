# 难例：SQL 来自变量
stmt = "DROP TABLE dim_shop"
o.execute_sql(stmt)  # !miss:MC15
