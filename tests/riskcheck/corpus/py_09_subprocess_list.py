import subprocess

subprocess.check_call(["rm", "-rf", path])  # !MC15
subprocess.check_call(["ls", "-l"])
