#!/bin/bash
odpscmd -e "DROP TABLE IF EXISTS dim_shop;" # !MC15 !MC01
odpscmd -e "SELECT COUNT(*) FROM dim_shop WHERE ds = '${bizdate}';"
odpscmd --project=retail_dw -e 'truncate table ads_x;' # !MC15 !MC02
