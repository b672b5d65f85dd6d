#!/bin/bash
# 难例：字符串里的命令只是打印
echo "please run: rm -rf /tmp/cache" # !fp:MC15
