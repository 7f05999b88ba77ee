#!/bin/bash
# Settings of the review models tried on validation (seeds 1 and 2 of Musical Instruments 8:1:1);
# each run's `heed evaluate --json` is kept in bench/results/review-models/tuning/. The choice is
# made on bestValidationRmse only; the test numbers are written down, never used to choose.
#
#   bash bench/review-tuning.sh [DATA_DIR]     (after npm run build)
set -eu
data=${1:-../shared/data}/amazon-musical-instruments-5core/reviews_Musical_Instruments_5.json.gz
out=bench/results/review-models/tuning
mkdir -p "$out"
run() {
  local model=$1 seed=$2; shift 2
  local name="$model-seed$seed${*:+-$(echo "$*" | tr ' =' '_-')}"
  [ -f "$out/$name.json" ] && return
  local sets=()
  for s in "$@"; do sets+=(--set "$s"); done
  node dist/src/cli/main.js evaluate --model "$model" --dataset "amazon:$data" --split ratio:0.8,0.1,0.1 \
    --seed "$seed" --json --quiet "${sets[@]}" > "$out/$name.json.tmp" && mv "$out/$name.json.tmp" "$out/$name.json"
}
for seed in 1 2; do
  run safmr $seed ratingLoss=l2
  run transnet $seed ratingLoss=l2
  run narre $seed dropout=0.3
  run narre $seed learningRate=0.001
  run narre $seed l2=0.01 factors=16
  run deepconn $seed l2=0.0001
  run deepconn $seed wordDim=50 learningRate=0.001
  run deepconn $seed wordDim=50
  run deepconn $seed wordDim=200
  run narre $seed wordDim=50
  run narre $seed wordDim=200
  run tafa $seed learningRate=0.0001
done
