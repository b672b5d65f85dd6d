# -*- coding: utf-8 -*-
o.execute_sql("DROP TABLE IF EXISTS dim_shop")  # !MC15 !MC01
o.execute_sql("SELECT * FROM dim_shop WHERE ds = '${bizdate}'")
