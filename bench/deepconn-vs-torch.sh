#!/bin/bash
# Heed's DeepCoNN beside the PyTorch DeepCoNN of Neu-Review-Rec (bench/reference/deepconn_torch.py)
# on the same Heed split of Musical Instruments, one training epoch each, alternating, ROUNDS
# times, one thread each (tfjs-wasm runs one thread in Node; PyTorch gets --threads 1).
# Heed runs at the reference's shapes: 300-dimensional word vectors, 100 kernels of 3 words,
# 32-dimensional text vectors, and documents of at most 500 tokens (10 reviews x 50 tokens;
# the reference cuts one concatenated document at 500 words).
#
#   bash bench/deepconn-vs-torch.sh /path/to/Neu-Review-Rec [ROUNDS] [DATA_DIR]
set -eu
ref=$1
rounds=${2:-2}
data=${3:-../shared/data}/amazon-musical-instruments-5core/reviews_Musical_Instruments_5.json.gz
split=/tmp/heed-mi-split-1
out=bench/results/deepconn-vs-torch
mkdir -p "$out"
[ -f "$split/train.jsonl" ] || node dist/bench/export-split.js --dataset "amazon:$data" --split ratio:0.8,0.1,0.1 --seed 1 --out "$split"
for r in $(seq 1 "$rounds"); do
  node dist/src/cli/main.js evaluate --model deepconn --dataset "amazon:$data" --split ratio:0.8,0.1,0.1 --seed 1 \
    --json --quiet --set epochs=1 --set patience=0 --set wordDim=300 --set cnnOutDim=32 --set reviewLength=50 \
    > "$out/heed-round$r.json"
  /usr/bin/python3 bench/reference/deepconn_torch.py "$split" "$ref" --epochs 1 --threads 1 > "$out/torch-round$r.log"
  cp "$split/deepconn-torch-e1-t1-s2019.json" "$out/torch-round$r.json"
done
python3 - "$out" "$rounds" <<'PY'
import json, sys
out, rounds = sys.argv[1], int(sys.argv[2])
for r in range(1, rounds + 1):
    h = json.load(open(f'{out}/heed-round{r}.json'))
    t = json.load(open(f'{out}/torch-round{r}.json'))['summary']
    print(f"round {r}: heed {h['samplesPerSecond']:.0f} samples/s (fit {h['fitSeconds']:.1f} s), "
          f"torch {t['meanSamplesPerSecond']:.1f} samples/s ({t['meanTrainSeconds']:.1f} s), "
          f"ratio {h['samplesPerSecond'] / t['meanSamplesPerSecond']:.1f}x")
PY
