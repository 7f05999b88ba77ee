"""
Trains the AANMF authors' own AANMF+P on a split that Heed exported, the way their main.py does,
and scores it both their way and Heed's way. A measurement tool, not part of Heed: it needs
PyTorch and numpy, and the authors' model file, which is not in this repository.

  1. node dist/bench/export-split.js --dataset ml-100k --split ratio:0.8,0.1,0.1 --seed 1 --out /tmp/split
  2. Save AANMF_softmax.py from github.com/Holy-Shine/AANMF (commit be0399f, the model with
     Eq. 6's pair-wise pooling and a plain inner product when num_fc_layer is None) as
     /tmp/split/model_softmax.py. On a CPU its CUDA branch never runs; the inputs given here are
     1-D index tensors, which is what that branch's squeeze() produces on a GPU.
  3. python3 bench/reference/aanmf_official.py /tmp/split [EPOCHS=50] [EMBED=8] [SEED=1]

main.py's settings: Adam lr 1e-3, batch 128, shuffled, 50 epochs, embed_dim 8, attention on, no
validation. After every epoch main.py prints the MSE of the last batch of a batch-1000,
unshuffled test loader; this prints that batch's RMSE and, beside it, the whole test set's RMSE
and MAE (clipped to 1..5, as Heed scores) and the validation RMSE. Data loading is vectorised
(main.py reads one pandas row per sample); the arithmetic is the same. Writes
SPLIT/aanmf-official-k{EMBED}-s{SEED}.json.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

folder = sys.argv[1]
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 50
embed = int(sys.argv[3]) if len(sys.argv) > 3 else 8
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
sys.path.insert(0, folder)
from model_softmax import AANMF  # noqa: E402  (the authors' file, see step 2)

torch.set_num_threads(1)
torch.manual_seed(seed)


def load(part):
    path = os.path.join(folder, f'{part}.csv')
    header = open(path).readline().strip().split(',')
    a = np.loadtxt(path, delimiter=',', skiprows=1, dtype=np.float64)
    col = lambda name: torch.from_numpy(a[:, header.index(name)].astype(np.int64))
    users = {'uid': col('user'), 'gender': col('gender'), 'age': col('age'), 'job': col('occupation')}
    return users, {'mid': col('item')}, torch.from_numpy(a[:, header.index('rating')].astype(np.float32)).unsqueeze(1)


train, validation, test = load('train'), load('validation'), load('test')
sizes = {k: max(int(p[0][k].max()) for p in (train, validation, test)) + 1 for k in train[0]}
items = {'mid': max(int(p[1]['mid'].max()) for p in (train, validation, test)) + 1}
model = AANMF(user_max_dict=sizes, movie_max_dict=items, embed_dim=embed, num_fc_layer=None, attention=True)
optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
mse = nn.MSELoss()
pick = lambda d, idx: {k: v[idx] for k, v in d.items()}


def predict(part):
    users, movies, _ = part
    with torch.no_grad():
        n = len(movies['mid'])
        return torch.cat([model(pick(users, slice(s, s + 5000)), pick(movies, slice(s, s + 5000))) for s in range(0, n, 5000)])


n = len(train[2])
history = []
started = time.time()
for epoch in range(1, epochs + 1):
    order = torch.randperm(n)
    for s in range(0, n, 128):
        idx = order[s:s + 128]
        model.zero_grad()
        loss = mse(model(pick(train[0], idx), pick(train[1], idx)), train[2][idx])
        loss.backward()
        optimizer.step()
    raw = (predict(test) - test[2]).squeeze(1).double()
    clipped = (predict(test).clamp(1, 5) - test[2]).squeeze(1).double()
    last = len(raw) - ((len(raw) - 1) // 1000) * 1000  # the size of main.py's last test batch
    history.append({
        'epoch': epoch,
        'lastBatchRmse': float(raw[-last:].pow(2).mean().sqrt()),  # main.py's score, unclipped
        'testRmse': float(clipped.pow(2).mean().sqrt()),
        'testMae': float(clipped.abs().mean()),
        'validationRmse': float((predict(validation).clamp(1, 5) - validation[2]).pow(2).mean().sqrt()),
        'seconds': round(time.time() - started, 1),
    })
    print(json.dumps(history[-1]), flush=True)

best = lambda key: min(history, key=lambda h: h[key])
summary = {'embed': embed, 'seed': seed, 'epochs': epochs, 'lastBatchSize': last,
           'bestLastBatch': best('lastBatchRmse'), 'bestTest': best('testRmse'), 'bestValidation': best('validationRmse')}
print(json.dumps(summary))
with open(os.path.join(folder, f'aanmf-official-k{embed}-s{seed}.json'), 'w') as f:
    json.dump({'summary': summary, 'history': history}, f, indent=1)
