# -*- coding: utf-8 -*-
from odps import options

options.sql.settings = {"odps.sql.type.system.odps2": True}
bizdate = args["bizdate"]
df = o.get_table("dwd_order").get_partition("ds=%s" % bizdate).to_df()
print(df.count())
