#!/bin/bash
hdfs dfs -rm -r /user/admin/out/${bizdate} # !MC15
hadoop fs -rmr /user/admin/old # !MC15
hdfs dfs -ls /user/admin
