#!/usr/bin/env bash
# LeNet-5 (Deep Compression's: conv 20 5x5, max pool, conv 50 5x5, max
# pool, fc 500, fc 10) compressed by `dcc compress --net lenet5 --seed 1`
# on Debian's Fashion-MNIST, cached as scripts/lenet-model.sh caches
# LeNet-300-100. Prints the directory: lenet5.dcm, report.txt, plots/.
# `make run` (scripts/run.sh) classifies the test set with it on the
# device and the CPU reference; the pipeline's time on a shared 2-core
# machine is in README.md.
#
# Usage: scripts/lenet5-model.sh [FASHION_MNIST_DIR]
DCC_NET=lenet5 exec "$(dirname "$0")/lenet-model.sh" "$@"
