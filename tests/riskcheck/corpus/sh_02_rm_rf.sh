#!/bin/bash
DIR=/home/admin/data/${bizdate}
rm -rf "$DIR" # !MC15
rm -f /home/admin/data/old.txt
# rm -rf / 只是注释
sudo rm -r -f /tmp/work # !MC15
