o.execute_sql("""
INSERT OVERWRITE TABLE dws_a -- !MC04 !MC14
SELECT * FROM ods_a WHERE ds = '20240101' -- !MC10
""")
