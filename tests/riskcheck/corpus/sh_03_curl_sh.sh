#!/bin/bash
curl -fsSL https://example.com/install.sh | bash # !MC15
wget -qO- http://x.example/setup | sh # !MC15
curl -o data.csv https://example.com/data.csv
