# PyODPS 2 节点（Python 2 语法）
import shutil
print "start"
shutil.rmtree('/tmp/x') # !MC15
o.execute_sql("DROP TABLE tmp_a") # !MC15
