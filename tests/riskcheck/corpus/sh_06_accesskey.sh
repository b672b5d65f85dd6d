#!/bin/bash
export ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI5tRealLookingKey9 # !MC16
ossutil cp data.csv oss://bucket/
