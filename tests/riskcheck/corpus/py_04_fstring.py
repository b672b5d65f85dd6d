table = "dim_" + args["name"]
o.execute_sql(f"DROP TABLE IF EXISTS {table}")  # !MC15
o.execute_sql("TRUNCATE TABLE %s" % table)  # !MC15
