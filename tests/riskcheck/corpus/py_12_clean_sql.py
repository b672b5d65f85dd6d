o.execute_sql("""
INSERT OVERWRITE TABLE dws_b PARTITION (ds='${bizdate}')
SELECT a, b FROM ods_b WHERE ds='${bizdate}'
""")
