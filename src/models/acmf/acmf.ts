/**
 * ACMF: attributes coupling based matrix factorisation (Yu, Wang, Wang & Gao, "Attributes
 * coupling based matrix factorization for item recommendation", Applied Intelligence 46(3),
 * 521-533, 2017; reference [32] of the AANMF paper, its Table 4 baseline).
 *
 * Matrix factorisation whose item factors are pulled towards those of the items most similar by
 * their attributes, the similarity being coupled object similarity (intra- and inter-coupled
 * attribute value similarity, `coupled-similarity.ts`) and the pull the regulariser of
 * `objective.ts`. The fit:
 *
 * 1. turn the chosen item fields into categorical attributes (a genre list becomes one yes/no
 *    attribute per genre, the year bin one attribute) and find each item's K most similar items;
 * 2. run `epochs` epochs of SGD on the ratings, each followed by a gradient step on the coupling
 *    regulariser (`objective.ts`), with the step size decaying by `lrDecay` per epoch.
 *
 * Users without training ratings keep zero factors; the predictor's cold-start fallback answers
 * their pairs (`handlesColdStart` is false).
 */
import type { RatingSubset } from '../../data/dataset.js';
import { Rng } from '../../util/rng.js';
import { num, str } from '../config.js';
import { selectFeatureFields } from '../feature-selection.js';
import type { FitOptions, FitReport, ModelConfig, ModelSpec, ModelState, RatingModel } from '../model.js';
import { checkMetaMatchesConfig, factorTrainingData, stateArray64, stateMeta } from '../classic/mf-common.js';
import { runSgdEpochs } from '../classic/sgd-epochs.js';
import { checkConfig, defaultsOf } from '../settings-schema.js';
import { categoricalAttributes } from '../categorical-attributes.js';
import { symmetricNeighbourhoods } from '../neighbour-graph.js';
import { topNeighbours } from './item-neighbours.js';
import { acmfScore, couplingStep, ratingStep, type AcmfFactors } from './objective.js';
import { ACMF_SETTINGS } from './settings.js';

export const ACMF_DEFAULTS: ModelConfig = defaultsOf(ACMF_SETTINGS);

export class Acmf implements RatingModel {
  readonly id = 'acmf';
  readonly handlesColdStart = false;
  readonly config: ModelConfig;
  private readonly factors: number;
  private fitted: AcmfFactors & { readonly users: number; readonly items: number };

  constructor(config: ModelConfig) {
    this.config = config;
    checkConfig(this.id, ACMF_SETTINGS, config);
    this.factors = num(config, 'factors');
    const none = new Float64Array(0);
    this.fitted = {
      factors: this.factors,
      mean: 0,
      users: 0,
      items: 0,
      userFactors: none,
      itemFactors: none,
    };
  }

  async fit(train: RatingSubset, options: FitOptions = {}): Promise<FitReport> {
    const k = this.factors;
    const lrDecay = num(this.config, 'lrDecay');
    const l2 = num(this.config, 'l2');
    const alpha = num(this.config, 'coupling');
    const rng = new Rng(num(this.config, 'seed'));
    const { user, item, rating, users, items, counts, mean } = factorTrainingData(train);

    const table = selectFeatureFields(
      train.dataset.itemFeatures,
      str(this.config, 'itemFeatures'),
      'itemFeatures',
    );
    const attributes = categoricalAttributes(table);
    const directed = topNeighbours(attributes, num(this.config, 'neighbours'), rng);
    const graph = symmetricNeighbourhoods(directed, items);

    const initStd = num(this.config, 'initStd');
    const draw = (rows: number, rated: Int32Array): Float64Array => {
      const out = new Float64Array(rows * k);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < k; c++) {
          const x = rng.normal() * initStd;
          if (rated[r] > 0) out[r * k + c] = x;
        }
      }
      return out;
    };
    const f: AcmfFactors = {
      factors: k,
      mean,
      userFactors: draw(users, counts.users),
      itemFactors: draw(items, counts.items),
    };
    const scratch = new Float64Array(items * k);
    const n = rating.length;

    const done = await runSgdEpochs(
      {
        model: this.id,
        epochs: num(this.config, 'epochs'),
        lrDecay,
        ratings: n,
        epoch: ({ lr }) => {
          const order = rng.permutation(n);
          let sse = 0;
          for (let t = 0; t < n; t++) {
            const x = order[t];
            sse += ratingStep(f, user[x], item[x], rating[x], lr, l2);
          }
          couplingStep(f.itemFactors, graph, k, lr * alpha, scratch);
          return sse;
        },
        validationScore: () => (u, i) => acmfScore(f, u, i),
      },
      { lr: num(this.config, 'learningRate') },
      options,
    );

    this.fitted = { ...f, users, items };
    const coupled = directed.offsets[items] > 0 ? `${(directed.items.length / items).toFixed(1)}` : '0';
    return {
      epochs: done,
      samplesProcessed: done * n,
      notes: [
        `coupled attributes: ${attributes.names.length} (${table.fields.map((x) => x.name).join(', ') || 'none'}); ${coupled} neighbours per item on average`,
      ],
    };
  }

  predict(users: Int32Array, items: Int32Array): Float32Array {
    const f = this.fitted;
    const out = new Float32Array(users.length);
    for (let t = 0; t < users.length; t++) {
      const u = users[t];
      const i = items[t];
      const known = u >= 0 && u < f.users && i >= 0 && i < f.items;
      out[t] = known ? acmfScore(f, u, i) : f.mean;
    }
    return out;
  }

  state(): ModelState {
    const f = this.fitted;
    return {
      id: this.id,
      config: this.config,
      meta: { mean: f.mean, users: f.users, items: f.items, factors: f.factors },
      arrays: { userFactors: f.userFactors, itemFactors: f.itemFactors },
    };
  }

  static restore(state: ModelState): Acmf {
    const model = new Acmf(state.config);
    const meta = stateMeta(state, ['mean', 'users', 'items', 'factors']);
    checkMetaMatchesConfig(state, 'factors', meta.factors, model.factors);
    model.fitted = {
      factors: model.factors,
      mean: meta.mean,
      users: meta.users,
      items: meta.items,
      userFactors: stateArray64(state, 'userFactors', meta.users * model.factors),
      itemFactors: stateArray64(state, 'itemFactors', meta.items * model.factors),
    };
    return model;
  }
}

export const acmfSpec: ModelSpec = {
  id: 'acmf',
  summary:
    'ACMF: matrix factorisation regularised towards coupled-attribute-similar items (AANMF Table 4 baseline)',
  reference:
    'Yu, Wang, Wang & Gao. Attributes coupling based matrix factorization for item recommendation. Applied Intelligence 46(3), 2017',
  settings: ACMF_SETTINGS,
  defaults: ACMF_DEFAULTS,
  create: (config) => new Acmf(config),
  restore: (state) => Acmf.restore(state),
  testSettings: { factors: 4, epochs: 5, neighbours: 3 },
};
