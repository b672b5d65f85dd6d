import shutil
import os

shutil.rmtree("/home/admin/cache")  # !MC15
os.system("rm -rf /home/admin/tmp")  # !MC15
os.remove("/home/admin/one.txt")
