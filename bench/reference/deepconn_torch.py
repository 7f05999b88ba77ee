"""
Trains Neu-Review-Rec's PyTorch DeepCoNN (github.com/ShomyLiu/Neu-Review-Rec, commit 6dfe474) on a
split that Heed exported, as a speed and accuracy reference for Heed's own DeepCoNN. A measurement
tool, not part of Heed: it needs PyTorch and numpy, and a checkout of Neu-Review-Rec, which is not
in this repository (its model and framework modules are imported from the checkout at run time).

  1. node dist/bench/export-split.js --dataset amazon:PATH/reviews_Musical_Instruments_5.json.gz \
       --split ratio:0.8,0.1,0.1 --seed 1 --out /tmp/split          # writes *.csv and *.jsonl
  2. python3 bench/reference/deepconn_torch.py /tmp/split /path/to/Neu-Review-Rec \
       [--epochs 20] [--threads 1] [--seed 2019] [--word-dim 300] [--filters 100] [--doc-len 500]

Preprocessing follows their pro_data/data_pro.py, re-done here on Heed's split instead of their
own 80/10/10 one: each review is cleaned as their clean_str does (ASCII only, every character but
A-Z a-z 0-9 becomes a space, lower case; an empty review becomes "<unk>"); a user's document is
their TRAINING reviews in training order joined by " <SEP> ", an item's joined by "<SEP>" (no
spaces: as in their code, the words either side of it fuse with it and are dropped); the
vocabulary is what their TfidfVectorizer(max_df=0.7, max_features=50000) keeps when fitted on
the users' training documents; every document keeps only vocabulary words, is cut to its first
500 (DOC_LEN) and padded with index 0 (which is also "<unk>"). Validation and test reviews are
never read, but a training rating's own review is in its user's and its item's document.

Training follows their main.py with DefaultConfig and Digital_Music_data_Config (read from the
checkout): Adam lr 2e-3 weight_decay 1e-3, StepLR(5, 0.8) per epoch, MSE loss, batch 128,
shuffled, their Model(DeepCoNN) with the 'lfm' output, CPU. Their data_pro.py, given no word2vec
file (its default), writes random U(-1, 1) word vectors that the model copies into both (trainable)
embedding tables; that is what happens here too, no pretrained vectors are used. Batches pass the
model only what DeepCoNN reads (ids and the two documents; main.py also gathers per-review tensors
that DeepCoNN ignores). Reports per-epoch training wall and CPU seconds and samples/s, validation
and test MSE/MAE (raw as theirs; also clipped to 1..5 as Heed scores), and the test scores at the
best-validation epoch; writes SPLIT/deepconn-torch-e{EPOCHS}-t{THREADS}-s{SEED}.json.
"""
import argparse
import json
import math
import os
import re
import sys
import tempfile
import time
from collections import Counter

import numpy as np
import torch
import torch.nn as nn

ap = argparse.ArgumentParser()
ap.add_argument('split')
ap.add_argument('neu_review_rec')
ap.add_argument('--epochs', type=int, default=None, help='default: their num_epochs (20)')
ap.add_argument('--threads', type=int, default=1)
ap.add_argument('--seed', type=int, default=None, help='default: their seed (2019)')
ap.add_argument('--word-dim', type=int, default=None)
ap.add_argument('--filters', type=int, default=None)
ap.add_argument('--doc-len', type=int, default=500, help="their data_pro.py DOC_LEN")
args = ap.parse_args()

sys.path.insert(0, os.path.abspath(args.neu_review_rec))
from config.config import Digital_Music_data_Config  # noqa: E402  (their files, see above)
from framework.models import Model  # noqa: E402
from models.deepconn import DeepCoNN  # noqa: E402

torch.set_num_threads(args.threads)
opt = Digital_Music_data_Config()  # DefaultConfig + word_dim 300, batch 128
opt.use_gpu = False
if args.epochs is not None:
    opt.num_epochs = args.epochs
if args.seed is not None:
    opt.seed = args.seed
if args.word_dim is not None:
    opt.word_dim = args.word_dim
if args.filters is not None:
    opt.filters_num = args.filters
np.random.seed(opt.seed)
torch.manual_seed(opt.seed)

# ---------------------------------------------------------------- data, the data_pro.py way
started = time.time()


def read(part):
    with open(os.path.join(args.split, f'{part}.jsonl')) as f:
        rows = [json.loads(line) for line in f]
    return (np.array([r['user'] for r in rows]), np.array([r['item'] for r in rows]),
            np.array([r['rating'] for r in rows], dtype=np.float32), [r['review'] for r in rows])


train, validation, test = read('train'), read('validation'), read('test')
n_users = 1 + max(int(p[0].max()) for p in (train, validation, test))
n_items = 1 + max(int(p[1].max()) for p in (train, validation, test))


def clean(text):
    """Their clean_str: after its first substitution the rest of its rules cannot match."""
    s = re.sub(r'[^A-Za-z0-9]', ' ', text.encode('ascii', 'ignore').decode('ascii'))
    s = re.sub(r'sssss ', ' ', re.sub(r'\s{2,}', ' ', s)).strip().lower()
    return s if s.strip() else '<unk>'


def documents(users, items, texts, doc_len):
    by_user = [[] for _ in range(n_users)]
    by_item = [[] for _ in range(n_items)]
    for u, i, t in zip(users, items, texts):
        by_user[u].append(clean(t))
        by_item[i].append(clean(t))
    user_raw = [' <SEP> '.join(r) for r in by_user]
    item_raw = ['<SEP>'.join(r) for r in by_item]
    # TfidfVectorizer(max_df=0.7, max_features=50000) fitted on the users' documents: tokens of
    # two or more word characters, document frequency at most 0.7 of the documents, then the
    # 50,000 most frequent; words keep the order of their first appearance.
    df, tf = Counter(), Counter()
    for d in user_raw:
        tokens = re.findall(r'(?u)\b\w\w+\b', d.lower())
        tf.update(tokens)
        df.update(set(tokens))
    kept = [w for w in tf if df[w] <= 0.7 * len(user_raw)]
    capped = len(kept) > 50000
    if capped:
        keep = set(sorted(kept, key=lambda w: (-tf[w], w))[:50000])
        kept = [w for w in kept if w in keep]
    # index 0 is "<unk>" and padding, words from 1; their vocab also holds one entry that no
    # word maps to (the '<SEP>' they add under the key 50000), hence the + 2
    index = {w: k for k, w in enumerate(kept, 1)}
    vocab_size = len(kept) + 2

    def encode(raw):  # whitespace tokens that are vocabulary words ("<SEP>", "<unk>" are not)
        ids = [index[w] for w in raw.split() if w in index]
        return ids[:doc_len] + [0] * (doc_len - len(ids[:doc_len])), len(ids)

    def percentile85(values):  # their countNum: x[int(0.85 n) - 1] of the sorted values
        x = np.sort(values)
        return int(x[int(0.85 * len(x)) - 1])

    u_enc = [encode(d) for d in user_raw]
    i_enc = [encode(d) for d in item_raw]
    review_words = [len([w for w in clean(t).split() if w in index]) for t in texts]
    stats = {
        'vocabulary': len(kept), 'vocabSize': vocab_size, 'max_features_binding': capped,
        'userDocWords': {'mean': float(np.mean([n for _, n in u_enc])),
                         'p85': percentile85([n for _, n in u_enc]),
                         'truncatedShare': float(np.mean([n > doc_len for _, n in u_enc]))},
        'itemDocWords': {'mean': float(np.mean([n for _, n in i_enc])),
                         'p85': percentile85([n for _, n in i_enc]),
                         'truncatedShare': float(np.mean([n > doc_len for _, n in i_enc]))},
        # what data_pro.py derives for the review-level models (NARRE, ...); DeepCoNN uses none
        'p85ReviewsPerUser': percentile85([len(r) for r in by_user if r]),
        'p85ReviewsPerItem': percentile85([len(r) for r in by_item if r]),
        'p85ReviewWords': percentile85(review_words),
    }
    return (torch.tensor([e for e, _ in u_enc], dtype=torch.long),
            torch.tensor([e for e, _ in i_enc], dtype=torch.long), vocab_size, stats)


user_doc, item_doc, opt.vocab_size, doc_stats = documents(train[0], train[1], train[3], args.doc_len)
opt.user_num, opt.item_num = n_users + 2, n_items + 2  # their config's "+ 2"
preprocess_seconds = time.time() - started

# their default use_word_embedding=True reads data_pro.py's w2v.npy: U(-1, 1) without word2vec
with tempfile.TemporaryDirectory() as tmp:
    opt.w2v_path = os.path.join(tmp, 'w2v.npy')
    np.save(opt.w2v_path, np.random.uniform(-1.0, 1.0, (opt.vocab_size, opt.word_dim)).astype(np.float32))
    model = Model(opt, DeepCoNN)

settings = {k: getattr(opt, k) for k in (
    'model', 'word_dim', 'filters_num', 'kernel_size', 'fc_dim', 'id_emb_size', 'drop_out', 'lr',
    'weight_decay', 'optimizer', 'loss_method', 'batch_size', 'num_epochs', 'output', 'ui_merge',
    'r_id_merge', 'seed', 'vocab_size', 'user_num', 'item_num')}
settings.update({'doc_len': args.doc_len, 'threads': args.threads, 'torch': torch.__version__,
                 'wordVectors': 'random U(-1,1), trainable, same start in user and item tables (no word2vec)',
                 'parameters': sum(p.numel() for p in model.parameters())})
print(json.dumps({'settings': settings, 'documents': doc_stats,
                  'preprocessSeconds': round(preprocess_seconds, 2)}), flush=True)


def batch(part, idx):
    u, i = torch.from_numpy(part[0][idx]), torch.from_numpy(part[1][idx])
    return [None, None, u, i, None, None, user_doc[u], item_doc[i]]


def evaluate(part):
    model.eval()
    with torch.no_grad():
        n = len(part[2])
        out = torch.cat([model(batch(part, np.arange(s, min(s + opt.batch_size, n))))
                         for s in range(0, n, opt.batch_size)]).double()
    model.train()
    y = torch.from_numpy(part[2]).double()
    raw, clipped = out - y, out.clamp(1, 5) - y
    return {'mse': float(raw.pow(2).mean()), 'mae': float(raw.abs().mean()),
            'mseClipped': float(clipped.pow(2).mean()), 'maeClipped': float(clipped.abs().mean())}


optimizer = torch.optim.Adam(model.parameters(), lr=opt.lr, weight_decay=opt.weight_decay)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=5, gamma=0.8)
mse = nn.MSELoss()
n = len(train[2])
scores = torch.from_numpy(train[2])
history = []
for epoch in range(1, opt.num_epochs + 1):
    model.train()
    wall, cpu = time.perf_counter(), time.process_time()
    total = 0.0
    order = torch.randperm(n).numpy()
    for s in range(0, n, opt.batch_size):
        idx = order[s:s + opt.batch_size]
        optimizer.zero_grad()
        loss = mse(model(batch(train, idx)), scores[idx])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(idx)
    scheduler.step()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    eval_started = time.perf_counter()
    v, t = evaluate(validation), evaluate(test)
    history.append({'epoch': epoch, 'trainSeconds': round(wall, 2), 'trainCpuSeconds': round(cpu, 2),
                    'samplesPerSecond': round(n / wall, 1), 'trainMse': total / n,
                    'evalSeconds': round(time.perf_counter() - eval_started, 2),
                    'validation': v, 'test': t})
    print(json.dumps(history[-1]), flush=True)

best = min(history, key=lambda h: h['validation']['mse'])
summary = {'threads': args.threads, 'seed': opt.seed, 'epochs': opt.num_epochs, 'trainSize': n,
           'meanTrainSeconds': round(float(np.mean([h['trainSeconds'] for h in history])), 2),
           'meanSamplesPerSecond': round(float(np.mean([h['samplesPerSecond'] for h in history])), 1),
           'bestValidationEpoch': best['epoch'], 'validation': best['validation'], 'test': best['test'],
           'testRmse': math.sqrt(best['test']['mse'])}
print(json.dumps(summary), flush=True)
out = os.path.join(args.split, f'deepconn-torch-e{opt.num_epochs}-t{args.threads}-s{opt.seed}.json')
with open(out, 'w') as f:
    json.dump({'settings': settings, 'documents': doc_stats, 'summary': summary, 'history': history}, f, indent=1)
print(f'wrote {out}')
