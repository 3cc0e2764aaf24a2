#!/bin/sh
# tests/golden/make_golden_model_v1.sh - how tests/golden/model_v1.desurv
# was made: a model file of format version 1, written by libdesurv 0.2.0
# (commit 02bed02, the last one before format version 2), so that
# test_modelfile checks that newer libraries still read version-1 files.
# Run from a checkout of 02bed02 built in ./build:
set -eu
build/cli/desurv fit --expr data/tcga_paad/expression_log2p1.tsv.gz \
    --surv data/tcga_paad/survival.tsv.gz --genes 40 --transform rank --k 2 \
    --starts 2 --maxit 30 --out /tmp/model_v1 --quiet
cp /tmp/model_v1/model.desurv tests/golden/model_v1.desurv
