#!/usr/bin/env bash
# Installs every Debian package qianwen needs, builds it, then runs a short generation on the
# model named by QIANWEN_MODEL (a Hugging Face model folder), or on the tiny fixture model.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
model="${QIANWEN_MODEL:-../shared/fixtures/models/qwen3-tiny}"
echo "short generation on $model:"
# "The capital of France is" in Qwen token ids.
build/bin/qianwen run -m "$model" --ids 785,6722,315,9625,374 -n 16 --seed 1 --output ids
