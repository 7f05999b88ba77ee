/**
 * The experiment file (docs/EXPERIMENTS.md): a versioned JSON document naming a data set, a split,
 * seeds, metrics, the models to compare (with their settings and, when reproducing a paper, the
 * paper's numbers), optionally a sweep over one model's settings scored on validation, and
 * figure series. `parseExperiment` checks every field and refuses unknown keys; each error names
 * the file and the JSON path of the bad value.
 */
import type { ConfigValue } from '../models/model.js';
import { metricByName } from '../eval/metric.js';
import { parseSplitSpec } from '../data/split.js';
import { UsageError } from '../util/errors.js';
import { canonicalJson } from './run-key.js';

/** The format version this Heed reads and writes. */
export const EXPERIMENT_VERSION = 1;

export type Settings = Readonly<Record<string, ConfigValue>>;

/** What `--quick` changes for one model or series. */
export interface QuickChange {
  /** Settings merged over the model's own (e.g. fewer epochs). */
  readonly settings?: Settings;
  readonly expectedSeconds?: number;
  /** Leave the model out of a quick run. */
  readonly skip?: boolean;
  /** What the cut is, printed under the quick table. */
  readonly note?: string;
}

export interface ModelEntry {
  /** The row's name in tables (`BiasedMF`); unique within the experiment. */
  readonly label: string;
  /** A Heed model id (`heed models`). */
  readonly model: string;
  readonly settings: Settings;
  /** The paper's value of each metric, keyed by metric name. */
  readonly paper?: Readonly<Record<string, number>>;
  /** Seconds one fit takes on the reference machine (BENCHMARKS.md), for the time estimate. */
  readonly expectedSeconds: number;
  readonly note?: string;
  readonly quick?: QuickChange;
}

/** A search over settings of one model, each point scored on the validation part only. */
export interface Sweep {
  readonly label: string;
  readonly model: string;
  /** Settings every point shares. */
  readonly settings: Settings;
  /** `grid` and `random` search `space`; `list` tries exactly `points`, in order. */
  readonly kind: 'grid' | 'random' | 'list';
  /** `grid` and `random`: each setting's candidate values (empty for `list`). */
  readonly space: Readonly<Record<string, readonly ConfigValue[]>>;
  /**
   * `list`: the points themselves, for a search that is not a product of per-setting values
   * (settings tried one or two at a time around the defaults; `{}` is the defaults).
   */
  readonly points?: readonly Settings[];
  /** `random` only: how many distinct points to draw from the grid, and with what seed. */
  readonly samples?: number;
  readonly seed?: number;
  /** The validation metric that picks the best point. */
  readonly metric: string;
  readonly expectedSeconds: number;
  readonly quick?: QuickChange & { readonly samples?: number };
}

export interface FigureSeries {
  readonly label: string;
  readonly model: string;
  readonly settings: Settings;
  readonly expectedSeconds: number;
  readonly quick?: QuickChange;
}

/** A paper figure: a test metric as one setting varies, one line per series. */
export interface Figure {
  /** File name stem of the figure (`fig4-topk`). */
  readonly id: string;
  readonly title: string;
  /** Where in the paper (`SAIN Fig. 4`). */
  readonly source?: string;
  readonly metric: string;
  /** The setting on the x axis. */
  readonly vary: string;
  readonly values: readonly ConfigValue[];
  /** The values a quick run uses; a quick run skips the figure when absent. */
  readonly quickValues?: readonly ConfigValue[];
  readonly xLabel?: string;
  readonly series: readonly FigureSeries[];
}

export interface Experiment {
  readonly version: 1;
  /** Short id, used for the output directory (`sain-table2`). */
  readonly name: string;
  readonly title: string;
  /** The paper table this reproduces (`Yun et al., SIGIR 2019, Table 2, MovieLens column`). */
  readonly source?: string;
  readonly dataset: string;
  /**
   * For a data set Heed does not ship: what the user must provide (the files, their layout, where
   * they come from). When its files are absent, `heed reproduce` prints the paper's rows as "data
   * not available here" with this text and the command that runs them, instead of failing.
   */
  readonly userData?: string;
  /** A split spec: `u1`, `sain`, `ratio:0.8,0.1,0.1`, `kfold:5`. */
  readonly split: string;
  readonly seeds: readonly number[];
  readonly metrics: readonly string[];
  /** The label of the model the paired tests compare every other model against. */
  readonly reference?: string;
  readonly reviewProtocol?: 'clean' | 'paper';
  /**
   * For models that early-stop on a split without a validation part: the fraction of the training
   * ratings carved off as validation (`carve-validation.ts`; default 0.1, 0 = none).
   */
  readonly validationFraction?: number;
  /** Also score NDCG@k over the whole catalogue (`catalogue-ndcg.ts`) with this k. */
  readonly catalogueNdcg?: number;
  /** Ratio and k-fold splits: keep only the users with at least this many ratings. */
  readonly minRatings?: number;
  readonly models: readonly ModelEntry[];
  readonly sweep?: Sweep;
  readonly figures: readonly Figure[];
  /** What `--quick` changes for the whole experiment. */
  readonly quick?: { readonly seeds?: readonly number[]; readonly folds?: number; readonly note?: string };
  readonly notes?: readonly string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Parses and checks an experiment file's text; `file` names it in every error. */
export function parseExperiment(text: string, file: string): Experiment {
  let json: Json;
  try {
    json = JSON.parse(text) as Json;
  } catch (error) {
    throw new UsageError(
      `${file}: not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return new Checker(file).experiment(json);
}

class Checker {
  constructor(private readonly file: string) {}

  fail(path: string, problem: string): never {
    throw new UsageError(`${this.file}: ${path}: ${problem}`);
  }

  object(value: Json | undefined, path: string, allowed: readonly string[]): JsonObject {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      this.fail(path, `must be an object, got ${describe(value)}`);
    for (const key of Object.keys(value))
      if (!allowed.includes(key)) this.fail(`${path}.${key}`, `unknown key (allowed: ${allowed.join(', ')})`);
    return value;
  }

  string(value: Json | undefined, path: string): string {
    if (typeof value !== 'string' || value.trim() === '')
      this.fail(path, `must be a non-empty string, got ${describe(value)}`);
    return value;
  }

  optionalString(value: Json | undefined, path: string): string | undefined {
    return value === undefined ? undefined : this.string(value, path);
  }

  number(value: Json | undefined, path: string, min = -Infinity): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min)
      this.fail(path, `must be a number${min > -Infinity ? ` ≥ ${min}` : ''}, got ${describe(value)}`);
    return value;
  }

  integer(value: Json | undefined, path: string, min: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
      this.fail(path, `must be a whole number ≥ ${min}, got ${describe(value)}`);
    return value;
  }

  array(value: Json | undefined, path: string, nonEmpty = true): Json[] {
    if (!Array.isArray(value)) this.fail(path, `must be an array, got ${describe(value)}`);
    if (nonEmpty && value.length === 0) this.fail(path, 'must not be empty');
    return value;
  }

  configValue(value: Json | undefined, path: string): ConfigValue {
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
    this.fail(path, `must be a number, string or boolean, got ${describe(value)}`);
  }

  settings(value: Json | undefined, path: string): Settings {
    if (value === undefined) return {};
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      this.fail(path, `must be an object of settings, got ${describe(value)}`);
    const out: Record<string, ConfigValue> = {};
    for (const [key, v] of Object.entries(value)) out[key] = this.configValue(v, `${path}.${key}`);
    return out;
  }

  metric(value: Json | undefined, path: string): string {
    const name = this.string(value, path);
    return metricByName(name, `${this.file}: ${path}`).name;
  }

  unique(labels: readonly string[], path: string): void {
    const seen = new Set<string>();
    labels.forEach((label, i) => {
      if (seen.has(label)) this.fail(`${path}[${i}].label`, `"${label}" is used twice`);
      seen.add(label);
    });
  }

  quick(value: Json | undefined, path: string, extra: readonly string[] = []): QuickChange | undefined {
    if (value === undefined) return undefined;
    const o = this.object(value, path, ['settings', 'expectedSeconds', 'skip', 'note', ...extra]);
    if (o.skip !== undefined && typeof o.skip !== 'boolean')
      this.fail(`${path}.skip`, `must be true or false, got ${describe(o.skip)}`);
    return {
      ...(o.settings !== undefined ? { settings: this.settings(o.settings, `${path}.settings`) } : {}),
      ...(o.expectedSeconds !== undefined
        ? { expectedSeconds: this.number(o.expectedSeconds, `${path}.expectedSeconds`, 0) }
        : {}),
      ...(o.skip === true ? { skip: true } : {}),
      ...(o.note !== undefined ? { note: this.string(o.note, `${path}.note`) } : {}),
    };
  }

  model(value: Json | undefined, path: string, metrics: readonly string[]): ModelEntry {
    const o = this.object(value, path, [
      'label',
      'model',
      'settings',
      'paper',
      'expectedSeconds',
      'note',
      'quick',
    ]);
    let paper: Record<string, number> | undefined;
    if (o.paper !== undefined) {
      const p = this.object(o.paper, `${path}.paper`, metrics);
      paper = {};
      for (const [name, v] of Object.entries(p)) paper[name] = this.number(v, `${path}.paper.${name}`);
    }
    const quick = this.quick(o.quick, `${path}.quick`);
    const note = this.optionalString(o.note, `${path}.note`);
    return {
      label: this.string(o.label, `${path}.label`),
      model: this.string(o.model, `${path}.model`),
      settings: this.settings(o.settings, `${path}.settings`),
      ...(paper !== undefined ? { paper } : {}),
      expectedSeconds: this.number(o.expectedSeconds, `${path}.expectedSeconds`, 0),
      ...(note !== undefined ? { note } : {}),
      ...(quick !== undefined ? { quick } : {}),
    };
  }

  sweep(value: Json | undefined, path: string): Sweep {
    const o = this.object(value, path, [
      'label',
      'model',
      'settings',
      'kind',
      'space',
      'points',
      'samples',
      'seed',
      'metric',
      'expectedSeconds',
      'quick',
    ]);
    if (o.kind !== 'grid' && o.kind !== 'random' && o.kind !== 'list')
      this.fail(`${path}.kind`, `must be "grid", "random" or "list", got ${describe(o.kind)}`);
    const space: Record<string, ConfigValue[]> = {};
    let points: Settings[] | undefined;
    if (o.kind === 'list') {
      if (o.space !== undefined) this.fail(`${path}.space`, 'a list sweep names its points in "points"');
      if (o.samples !== undefined || o.seed !== undefined)
        this.fail(
          `${path}.${o.samples !== undefined ? 'samples' : 'seed'}`,
          'a list sweep tries every point',
        );
      points = this.array(o.points, `${path}.points`).map((p, i) => this.settings(p, `${path}.points[${i}]`));
      const seen = points.map((p) => canonicalJson(p));
      seen.forEach((point, i) => {
        if (seen.indexOf(point) < i)
          this.fail(`${path}.points[${i}]`, `repeats ${path}.points[${seen.indexOf(point)}]`);
      });
    } else {
      if (o.points !== undefined)
        this.fail(`${path}.points`, `only a "list" sweep has points (this one is "${o.kind}")`);
      const spaceObject = this.object(o.space, `${path}.space`, Object.keys(o.space ?? {}));
      for (const [key, values] of Object.entries(spaceObject))
        space[key] = this.array(values, `${path}.space.${key}`).map((v, i) =>
          this.configValue(v, `${path}.space.${key}[${i}]`),
        );
      if (Object.keys(space).length === 0) this.fail(`${path}.space`, 'must name at least one setting');
      if (o.kind === 'random' && o.samples === undefined)
        this.fail(`${path}.samples`, 'a random sweep needs the number of points to draw');
    }
    const quick = this.quick(o.quick, `${path}.quick`, ['samples']);
    const quickSamples =
      o.quick !== undefined && (o.quick as JsonObject).samples !== undefined
        ? this.integer((o.quick as JsonObject).samples, `${path}.quick.samples`, 1)
        : undefined;
    return {
      label: this.string(o.label, `${path}.label`),
      model: this.string(o.model, `${path}.model`),
      settings: this.settings(o.settings, `${path}.settings`),
      kind: o.kind,
      space,
      ...(points !== undefined ? { points } : {}),
      ...(o.samples !== undefined ? { samples: this.integer(o.samples, `${path}.samples`, 1) } : {}),
      ...(o.seed !== undefined ? { seed: this.integer(o.seed, `${path}.seed`, 0) } : {}),
      metric: this.metric(o.metric, `${path}.metric`),
      expectedSeconds: this.number(o.expectedSeconds, `${path}.expectedSeconds`, 0),
      ...(quick !== undefined
        ? { quick: { ...quick, ...(quickSamples !== undefined ? { samples: quickSamples } : {}) } }
        : {}),
    };
  }

  figure(value: Json | undefined, path: string): Figure {
    const o = this.object(value, path, [
      'id',
      'title',
      'source',
      'metric',
      'vary',
      'values',
      'quickValues',
      'xLabel',
      'series',
    ]);
    const id = this.string(o.id, `${path}.id`);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(id))
      this.fail(`${path}.id`, `must be lower-case letters, digits and dashes (a file name), got "${id}"`);
    const values = (v: Json | undefined, p: string): ConfigValue[] =>
      this.array(v, p).map((x, i) => this.configValue(x, `${p}[${i}]`));
    const series = this.array(o.series, `${path}.series`).map((s, i) => {
      const p = `${path}.series[${i}]`;
      const so = this.object(s, p, ['label', 'model', 'settings', 'expectedSeconds', 'quick']);
      const quick = this.quick(so.quick, `${p}.quick`);
      return {
        label: this.string(so.label, `${p}.label`),
        model: this.string(so.model, `${p}.model`),
        settings: this.settings(so.settings, `${p}.settings`),
        expectedSeconds: this.number(so.expectedSeconds, `${p}.expectedSeconds`, 0),
        ...(quick !== undefined ? { quick } : {}),
      };
    });
    this.unique(
      series.map((s) => s.label),
      `${path}.series`,
    );
    const source = this.optionalString(o.source, `${path}.source`);
    const xLabel = this.optionalString(o.xLabel, `${path}.xLabel`);
    return {
      id,
      title: this.string(o.title, `${path}.title`),
      ...(source !== undefined ? { source } : {}),
      metric: this.metric(o.metric, `${path}.metric`),
      vary: this.string(o.vary, `${path}.vary`),
      values: values(o.values, `${path}.values`),
      ...(o.quickValues !== undefined ? { quickValues: values(o.quickValues, `${path}.quickValues`) } : {}),
      ...(xLabel !== undefined ? { xLabel } : {}),
      series,
    };
  }

  experiment(value: Json): Experiment {
    const o = this.object(value, '$', [
      'version',
      'name',
      'title',
      'source',
      'dataset',
      'userData',
      'split',
      'seeds',
      'metrics',
      'reference',
      'reviewProtocol',
      'validationFraction',
      'catalogueNdcg',
      'minRatings',
      'models',
      'sweep',
      'figures',
      'quick',
      'notes',
    ]);
    if (o.version !== EXPERIMENT_VERSION)
      this.fail(
        '$.version',
        `must be ${EXPERIMENT_VERSION} (this Heed's experiment format), got ${describe(o.version)}`,
      );
    const name = this.string(o.name, '$.name');
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name))
      this.fail('$.name', `must be lower-case letters, digits and dashes (a directory name), got "${name}"`);
    const split = this.string(o.split, '$.split');
    try {
      parseSplitSpec(split, `${this.file}: $.split`);
    } catch (error) {
      this.fail('$.split', error instanceof Error ? error.message : String(error));
    }
    const seeds = this.array(o.seeds, '$.seeds').map((s, i) => this.integer(s, `$.seeds[${i}]`, 0));
    const metrics = this.array(o.metrics, '$.metrics').map((m, i) => this.metric(m, `$.metrics[${i}]`));
    // An experiment that only searches settings (a sweep, its best point scored on test) needs no rows.
    const models = this.array(o.models, '$.models', o.sweep === undefined).map((m, i) =>
      this.model(m, `$.models[${i}]`, metrics),
    );
    this.unique(
      models.map((m) => m.label),
      '$.models',
    );
    const reference = this.optionalString(o.reference, '$.reference');
    if (reference !== undefined && !models.some((m) => m.label === reference))
      this.fail('$.reference', `"${reference}" is not the label of any of $.models`);
    if (o.reviewProtocol !== undefined && o.reviewProtocol !== 'clean' && o.reviewProtocol !== 'paper')
      this.fail('$.reviewProtocol', `must be "clean" or "paper", got ${describe(o.reviewProtocol)}`);
    let validationFraction: number | undefined;
    if (o.validationFraction !== undefined) {
      validationFraction = this.number(o.validationFraction, '$.validationFraction', 0);
      if (validationFraction >= 1)
        this.fail('$.validationFraction', `must be below 1, got ${validationFraction}`);
    }
    const catalogueNdcg =
      o.catalogueNdcg === undefined ? undefined : this.integer(o.catalogueNdcg, '$.catalogueNdcg', 1);
    if (catalogueNdcg !== undefined && o.reviewProtocol === 'paper')
      this.fail(
        '$.catalogueNdcg',
        'cannot be combined with reviewProtocol "paper", which defines review documents only for rated test pairs',
      );
    const minRatings = o.minRatings === undefined ? undefined : this.integer(o.minRatings, '$.minRatings', 1);
    if (minRatings !== undefined && !['ratio', 'kfold'].includes(parseSplitSpec(split).kind))
      this.fail('$.minRatings', `cannot filter the split "${split}" (use a ratio or kfold split)`);
    let quick: Experiment['quick'];
    if (o.quick !== undefined) {
      const q = this.object(o.quick, '$.quick', ['seeds', 'folds', 'note']);
      quick = {
        ...(q.seeds !== undefined
          ? {
              seeds: this.array(q.seeds, '$.quick.seeds').map((s, i) =>
                this.integer(s, `$.quick.seeds[${i}]`, 0),
              ),
            }
          : {}),
        ...(q.folds !== undefined ? { folds: this.integer(q.folds, '$.quick.folds', 1) } : {}),
        ...(q.note !== undefined ? { note: this.string(q.note, '$.quick.note') } : {}),
      };
    }
    const figures = o.figures === undefined ? [] : this.array(o.figures, '$.figures', false);
    const source = this.optionalString(o.source, '$.source');
    const userData = this.optionalString(o.userData, '$.userData');
    return {
      version: EXPERIMENT_VERSION,
      name,
      title: this.string(o.title, '$.title'),
      ...(source !== undefined ? { source } : {}),
      dataset: this.string(o.dataset, '$.dataset'),
      ...(userData !== undefined ? { userData } : {}),
      split,
      seeds,
      metrics,
      ...(reference !== undefined ? { reference } : {}),
      ...(o.reviewProtocol !== undefined ? { reviewProtocol: o.reviewProtocol } : {}),
      ...(validationFraction !== undefined ? { validationFraction } : {}),
      ...(catalogueNdcg !== undefined ? { catalogueNdcg } : {}),
      ...(minRatings !== undefined ? { minRatings } : {}),
      models,
      ...(o.sweep !== undefined ? { sweep: this.sweep(o.sweep, '$.sweep') } : {}),
      figures: figures.map((f, i) => this.figure(f, `$.figures[${i}]`)),
      ...(quick !== undefined ? { quick } : {}),
      ...(o.notes !== undefined
        ? { notes: this.array(o.notes, '$.notes').map((n, i) => this.string(n, `$.notes[${i}]`)) }
        : {}),
    };
  }
}

function describe(value: Json | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value);
}
