#!/bin/bash
find /home/admin/logs -name '*.log' -mtime +7 \
  -exec rm -rf {} \; # !MC15
