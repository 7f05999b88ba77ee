/**
 * AESR: autoencoder-based social recommender (Nisha & Mohan, "A social recommender system using
 * deep architecture and network embedding", Applied Intelligence 49, 2019; reference [19] of the
 * AANMF paper, its Table 4 baseline): "a joint optimization function which extends deep
 * Autoencoder with top-k semantic social information", the semantic information coming from
 * network representation learning on the users' social graph.
 *
 * The fit:
 *
 * 1. build the user graph (`attribute-graph.ts`: MovieLens has no social network, so users who
 *    share `minShared` attribute values are linked), embed it with DeepWalk (`deepwalk.ts`) and
 *    take each user's top-k semantic friends by cosine similarity (`semantic-friends.ts`);
 * 2. train the autoencoder of `autoencoder.ts` with its joint loss, Adam over batches of rows in a
 *    fresh random order each epoch; with validation ratings and `patience` > 0 it keeps the epoch
 *    of the lowest validation RMSE. `input` says what a row is, a choice the paper's abstract does
 *    not settle (AutoRec, Sedhain et al. 2015, has both): `user` encodes a user's ratings and pulls
 *    the codes of friends together (friends' codes recomputed at the start of every epoch); `item`
 *    encodes an item's ratings by all users and pulls friends' decoder rows V_u together
 *    (`decoderSocialGradient`). Item rows score far better on validation (README.md).
 *
 * A prediction decodes the entry (item i, or user u) from the code of the row (user u's, or item
 * i's, training ratings). Users or items without training ratings are left to the predictor's
 * fallback (`handlesColdStart` is false).
 */
import { gatherRatings, type RatingSubset } from '../../data/dataset.js';
import { Adam, type RowGradient } from '../../engine/optimizer.js';
import { TableParam } from '../../engine/params.js';
import { Rng } from '../../util/rng.js';
import { num, str } from '../config.js';
import { categoricalAttributes } from '../categorical-attributes.js';
import {
  checkConverging,
  meanRating,
  progressEvent,
  checkMetaMatchesConfig,
  stateArray,
  stateMeta,
  subsetRmse,
  yieldToEventLoop,
} from '../classic/mf-common.js';
import { selectFeatureFields } from '../feature-selection.js';
import type { FitOptions, FitReport, ModelConfig, ModelSpec, ModelState, RatingModel } from '../model.js';
import { symmetricNeighbourhoods, type Neighbourhoods } from '../neighbour-graph.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import { sharedAttributeGraph } from './attribute-graph.js';
import {
  batchGradient,
  clearGradient,
  decoderSocialGradient,
  decodeLinear,
  encodeAll,
  zeroGradient,
  type AutoencoderWeights,
  type RatingRows,
} from './autoencoder.js';
import { deepWalk } from './deepwalk.js';
import { topSemanticFriends } from './semantic-friends.js';
import { AESR_SETTINGS } from './settings.js';

export const AESR_DEFAULTS: ModelConfig = defaultsOf(AESR_SETTINGS);

/** Which side of the rating matrix the autoencoder reads a row of. */
type Input = 'user' | 'item';

/**
 * What a fitted AESR predicts with: every row's code (users' or items'), the decoder's rows and
 * biases (items' or users'), μ for unknown pairs.
 */
interface FittedAesr {
  readonly mean: number;
  readonly users: number;
  readonly items: number;
  readonly codes: Float32Array;
  readonly decoder: Float32Array;
  readonly decoderBias: Float32Array;
}

export class Aesr implements RatingModel {
  readonly id = 'aesr';
  readonly handlesColdStart = false;
  readonly config: ModelConfig;
  private readonly hidden: number;
  private readonly input: Input;
  private fitted: FittedAesr;

  constructor(config: ModelConfig) {
    this.config = config;
    checkConfig(this.id, AESR_SETTINGS, config);
    this.hidden = num(config, 'hidden');
    this.input = str(config, 'input') as Input;
    const none = new Float32Array(0);
    this.fitted = { mean: 0, users: 0, items: 0, codes: none, decoder: none, decoderBias: none };
  }

  async fit(train: RatingSubset, options: FitOptions = {}): Promise<FitReport> {
    const c = this.config;
    const H = this.hidden;
    const rng = new Rng(num(c, 'seed'));
    const { dataset } = train;
    const users = dataset.users.ids.length;
    const items = dataset.items.ids.length;
    const byUser = this.input === 'user';
    const rows = ratingRows(train, this.input);
    const entries = byUser ? items : users;
    const mean = meanRating(rows.ratings);
    const n = rows.ratings.length;

    const { friends, notes } = this.semanticFriends(train, rng);

    const table = (name: string, count: number, dim: number, l2: number, init: () => number): TableParam =>
      new TableParam(name, count, dim, l2, Float32Array.from({ length: count * dim }, init));
    const std = num(c, 'initStd');
    const encoder = table('encoder', entries, H, 1, () => rng.normal() * std);
    const encoderBias = table('encoderBias', 1, H, 0, () => 0);
    const decoder = table('decoder', entries, H, 1, () => rng.normal() * std);
    const decoderBias = table('decoderBias', entries, 1, 0, () => mean);
    const w: AutoencoderWeights = {
      hidden: H,
      encoder: encoder.value,
      encoderBias: encoderBias.value,
      decoder: decoder.value,
      decoderBias: decoderBias.value,
    };
    const adam = new Adam({ learningRate: num(c, 'learningRate'), l2: num(c, 'l2') });
    const gradient = zeroGradient(entries, H);
    const beta = num(c, 'social');
    const batchSize = num(c, 'batchSize');
    const epochs = num(c, 'epochs');
    const patience = num(c, 'patience');
    const dropout = num(c, 'inputDropout');
    const rated = Int32Array.from({ length: rows.offsets.length - 1 }, (_, r) => r).filter(
      (r) => rows.offsets[r + 1] > rows.offsets[r],
    );
    const allUsers = Int32Array.from({ length: users }, (_, u) => u);
    const noFriends = {
      offsets: new Int32Array(rows.offsets.length),
      items: new Int32Array(0),
      weights: new Float64Array(0),
    };

    const score = (codes: Float64Array) => (u: number, i: number) => {
      const [row, entry] = byUser ? [u, i] : [i, u];
      return Math.max(0, decodeLinear(w, codes.subarray(row * H, (row + 1) * H), entry));
    };
    const started = performance.now();
    let best: { epoch: number; rmse: number; weights: Float32Array[] } | undefined;
    let done = 0;
    while (done < epochs && !options.signal?.aborted) {
      const friendCodes = byUser ? encodeAll(w, rows) : new Float64Array(0);
      const order = rng.shuffle(rated.slice());
      const inputScale = dropoutScale(n, dropout, rng);
      let loss = 0;
      for (let start = 0; start < order.length; start += batchSize) {
        const batch = order.subarray(start, start + batchSize);
        if (byUser) loss += batchGradient(w, rows, batch, friends, friendCodes, beta, gradient, inputScale);
        else {
          loss += batchGradient(w, rows, batch, noFriends, friendCodes, 0, gradient, inputScale);
          // This batch's slice of the users, in proportion to its share of the rows.
          const from = Math.floor((start / order.length) * users);
          const to = Math.floor((Math.min(order.length, start + batchSize) / order.length) * users);
          loss += decoderSocialGradient(w, friends, beta, allUsers.subarray(from, to), gradient);
        }
        const ids = Int32Array.from(gradient.touched);
        adam.step(
          [],
          [
            rowGradient(encoder, ids, gradient.encoder),
            rowGradient(decoder, ids, gradient.decoder),
            rowGradient(decoderBias, ids, gradient.decoderBias),
            { table: encoderBias, ids: Int32Array.of(0), grads: gradient.encoderBias },
          ],
        );
        clearGradient(gradient, H);
      }
      checkConverging(this.id, loss, done + 1, adam.learningRate);
      done++;
      const validationRmse = options.validation
        ? subsetRmse(options.validation, score(encodeAll(w, rows)))
        : undefined;
      options.onProgress?.(progressEvent(done, epochs, started, 2 * loss, n, validationRmse));
      if (validationRmse !== undefined && patience > 0) {
        if (best === undefined || validationRmse < best.rmse) {
          best = {
            epoch: done,
            rmse: validationRmse,
            weights: [w.encoder, w.encoderBias, w.decoder, w.decoderBias].map((a) => a.slice()),
          };
        } else if (done - best.epoch >= patience) {
          break;
        }
      }
      if (done < epochs) await yieldToEventLoop();
    }
    if (best !== undefined) {
      [w.encoder, w.encoderBias, w.decoder, w.decoderBias].forEach((a, k) => a.set(best.weights[k]));
    }

    this.fitted = {
      mean,
      users,
      items,
      codes: Float32Array.from(encodeAll(w, rows)),
      decoder: w.decoder.slice(),
      decoderBias: w.decoderBias.slice(),
    };
    return {
      epochs: done,
      samplesProcessed: done * n,
      ...(best ? { bestEpoch: best.epoch, bestValidationRmse: best.rmse } : {}),
      notes,
    };
  }

  /** Step 1 of the fit: the symmetric top-k friend graph, and a note on how it was built. */
  private semanticFriends(train: RatingSubset, rng: Rng): { friends: Neighbourhoods; notes: string[] } {
    const c = this.config;
    const users = train.dataset.users.ids.length;
    const k = num(c, 'friends');
    const table = selectFeatureFields(train.dataset.userFeatures, str(c, 'userFeatures'), 'userFeatures');
    if (k === 0 || num(c, 'social') === 0) {
      const none = {
        offsets: new Int32Array(users + 1),
        items: new Int32Array(0),
        weights: new Float64Array(0),
      };
      return { friends: none, notes: ['no social term (friends or social is 0)'] };
    }
    const graph = sharedAttributeGraph(categoricalAttributes(table), num(c, 'minShared'));
    const dim = num(c, 'embeddingDim');
    const embedding = deepWalk(
      graph,
      {
        dimensions: dim,
        walksPerNode: num(c, 'walksPerUser'),
        walkLength: num(c, 'walkLength'),
        window: num(c, 'window'),
        negatives: num(c, 'negatives'),
        learningRate: num(c, 'walkLearningRate'),
      },
      rng,
    );
    const directed = topSemanticFriends(embedding, users, dim, k);
    const fields = table.fields.map((f) => f.name).join(', ') || 'none';
    const note =
      `social graph from shared user attributes (${fields}; at least ${num(c, 'minShared')} shared): ` +
      `${(graph.neighbours.length / Math.max(1, users)).toFixed(0)} links per user on average; ` +
      `${(directed.items.length / Math.max(1, users)).toFixed(1)} semantic friends per user`;
    return { friends: symmetricNeighbourhoods(directed, users), notes: [note] };
  }

  predict(users: Int32Array, items: Int32Array): Float32Array {
    const f = this.fitted;
    const H = this.hidden;
    const byUser = this.input === 'user';
    const out = new Float32Array(users.length);
    for (let t = 0; t < users.length; t++) {
      const u = users[t];
      const i = items[t];
      if (u < 0 || u >= f.users || i < 0 || i >= f.items) {
        out[t] = f.mean;
        continue;
      }
      const [row, entry] = byUser ? [u, i] : [i, u];
      let o = f.decoderBias[entry];
      for (let j = 0; j < H; j++) o += f.decoder[entry * H + j] * f.codes[row * H + j];
      out[t] = Math.max(0, o);
    }
    return out;
  }

  state(): ModelState {
    const f = this.fitted;
    return {
      id: this.id,
      config: this.config,
      meta: { mean: f.mean, users: f.users, items: f.items, hidden: this.hidden },
      arrays: { codes: f.codes, decoder: f.decoder, decoderBias: f.decoderBias },
    };
  }

  static restore(state: ModelState): Aesr {
    const model = new Aesr(state.config);
    const meta = stateMeta(state, ['mean', 'users', 'items', 'hidden']);
    checkMetaMatchesConfig(state, 'hidden', meta.hidden, model.hidden);
    const [rows, entries] = model.input === 'user' ? [meta.users, meta.items] : [meta.items, meta.users];
    model.fitted = {
      mean: meta.mean,
      users: meta.users,
      items: meta.items,
      codes: stateArray(state, 'codes', rows * model.hidden),
      decoder: stateArray(state, 'decoder', entries * model.hidden),
      decoderBias: stateArray(state, 'decoderBias', entries),
    };
    return model;
  }
}

/** The training ratings as CSR rows: each user's (`by` = user) or each item's (`by` = item). */
export function ratingRows(train: RatingSubset, by: Input): RatingRows {
  const gathered = gatherRatings(train);
  const [row, entry] = by === 'user' ? [gathered.user, gathered.item] : [gathered.item, gathered.user];
  const count = (by === 'user' ? train.dataset.users : train.dataset.items).ids.length;
  const offsets = new Int32Array(count + 1);
  for (const r of row) offsets[r + 1]++;
  for (let r = 0; r < count; r++) offsets[r + 1] += offsets[r];
  const fill = offsets.slice(0, count);
  const items = new Int32Array(row.length);
  const ratings = new Float32Array(row.length);
  for (let t = 0; t < row.length; t++) {
    const at = fill[row[t]]++;
    items[at] = entry[t];
    ratings[at] = gathered.rating[t];
  }
  return { offsets, items, ratings };
}

/** Inverted dropout of the input ratings for one epoch: 0 with probability `rate`, else 1/(1 − rate). */
function dropoutScale(n: number, rate: number, rng: Rng): Float32Array | undefined {
  if (rate === 0) return undefined;
  const keep = 1 / (1 - rate);
  return Float32Array.from({ length: n }, () => (rng.next() < rate ? 0 : keep));
}

/** The rows `ids` of a gradient buffer shaped like `table`, as the optimizer takes them. */
function rowGradient(table: TableParam, ids: Int32Array, full: Float32Array): RowGradient {
  const d = table.dim;
  const grads = new Float32Array(ids.length * d);
  ids.forEach((id, k) => grads.set(full.subarray(id * d, (id + 1) * d), k * d));
  return { table, ids, grads };
}

export const aesrSpec: ModelSpec = {
  id: 'aesr',
  summary:
    'AESR: rating autoencoder (item rows by default) with a top-k semantic-friends term, friends by DeepWalk on a shared-attribute user graph (AANMF Table 4 baseline)',
  reference:
    'Nisha & Mohan. A social recommender system using deep architecture and network embedding. Applied Intelligence 49, 2019',
  settings: AESR_SETTINGS,
  defaults: AESR_DEFAULTS,
  create: (config) => new Aesr(config),
  restore: (state) => Aesr.restore(state),
  testSettings: { hidden: 8, epochs: 3, embeddingDim: 4, walksPerUser: 2, walkLength: 5, friends: 3 },
};
