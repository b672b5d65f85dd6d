#!/bin/bash
# 难例：命令放在变量里
CMD="rm"
$CMD -rf /home/admin/data # !miss:MC15
