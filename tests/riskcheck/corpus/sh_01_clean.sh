#!/bin/bash
# 下载日志并上传
echo "start ${bizdate}"
mkdir -p /home/admin/data/${bizdate}
ls -l /home/admin/data
