/**
 * Pieces the commands share: the flags of `evaluate` and `train` and of the commands that answer
 * from a saved model (`predict`, `explain`, `serve`), opening a data set, and turning `--split`,
 * `--seed`, `--min-ratings` into splits.
 */
import * as path from 'node:path';
import type { Dataset, Split } from '../data/dataset.js';
import { loadDataset } from '../data/registry.js';
import {
  defaultSplitSpec,
  formatSplitSpec,
  makeSplits,
  minRatingsPerUser,
  parseSplitSpec,
  type SplitSpec,
} from '../data/split.js';
import { checkValidationFraction, DEFAULT_VALIDATION_FRACTION } from '../eval/carve-validation.js';
import type { ModelConfig } from '../models/model.js';
import { DataError, UsageError } from '../util/errors.js';
import { isDirectory } from '../util/io.js';
import type { CliIo, OutputStream } from './command.js';
import type { FlagSpec, ParsedArgs } from './flags.js';

/** The flag of every command that answers from a saved model. */
export const MODEL_DIR_FLAG: FlagSpec = {
  kind: 'string',
  value: 'DIR',
  required: true,
  description: 'A directory written by heed train',
};

/** The flags naming one (user, item) pair by raw ids. */
export const PAIR_FLAGS: Readonly<Record<string, FlagSpec>> = {
  user: { kind: 'string', value: 'ID', required: true, description: 'Raw user id, as in the data files' },
  item: { kind: 'string', value: 'ID', required: true, description: 'Raw item id, as in the data files' },
};

/** Flags of every command that fits a model on a data set. */
export const RUN_FLAGS: Readonly<Record<string, FlagSpec>> = {
  model: { kind: 'string', value: 'ID', required: true, description: 'Model id (see heed models)' },
  dataset: { kind: 'string', value: 'ID', required: true, description: 'Data set id (see heed datasets)' },
  'data-dir': {
    kind: 'string',
    value: 'DIR',
    description: 'Where the data set files are (see heed datasets for the default)',
  },
  split: {
    kind: 'string',
    value: 'SPEC',
    description: 'u1 (a predefined split), ratio:0.8,0.1,0.1, kfold:5 or files:TRAIN[,VALIDATION],TEST',
    defaultText: "the data set's first predefined split, else ratio:0.8,0.1,0.1",
  },
  scale: {
    kind: 'string',
    value: 'MIN,MAX',
    description:
      'The rating scale of a csv: data set (or declare it in ratings.csv as rating:scale(MIN|MAX)); a rating outside it is an error',
    defaultText: 'csv: the observed range, with a warning; other data sets declare their own',
  },
  seed: { kind: 'integer', value: 'N', description: 'Seed of the split and the model', defaultText: '1' },
  'min-ratings': {
    kind: 'integer',
    value: 'N',
    description: 'Keep only users with at least N ratings (ratio and k-fold splits)',
  },
  'validation-fraction': {
    kind: 'string',
    value: 'F',
    description:
      'For a model that early-stops (patience > 0) on a split without validation: the fraction of training ratings held out as validation (0: none, train on all)',
    defaultText: String(DEFAULT_VALIDATION_FRACTION),
  },
  set: { kind: 'repeatable', value: 'KEY=VALUE', description: 'Override a model setting (see heed models)' },
  json: { kind: 'switch', description: 'Print one JSON object on stdout instead of a table' },
  quiet: { kind: 'switch', description: 'No progress lines on stderr' },
};

/**
 * Loads a data set; a `--data-dir` that does not exist is named before any loader runs. The
 * loader's warnings (`Dataset.warnings`) go to stderr, once each, as `warning: …`.
 */
export async function openDataset(
  id: string,
  dataDir: string | undefined,
  stderr: OutputStream,
  scale?: { readonly min: number; readonly max: number },
): Promise<Dataset> {
  if (dataDir !== undefined && !isDirectory(dataDir)) {
    throw new DataError(path.resolve(dataDir), undefined, undefined, 'data directory not found (--data-dir)');
  }
  const dataset = await loadDataset(id, {
    ...(dataDir !== undefined ? { dataDir } : {}),
    ...(scale !== undefined ? { scale } : {}),
  });
  for (const warning of dataset.warnings ?? []) stderr.write(`warning: ${warning}\n`);
  return dataset;
}

export interface RunSetup {
  readonly dataset: Dataset;
  readonly spec: SplitSpec;
  readonly splits: Split[];
  readonly seed: number;
  readonly overrides: Record<string, string>;
  /** Wall-clock seconds spent loading (or generating) the data set, and making the splits. */
  readonly loadSeconds: number;
  readonly splitSeconds: number;
  /** The same stages' CPU seconds (user + system) of this process. */
  readonly loadCpuSeconds: number;
  readonly splitCpuSeconds: number;
}

/** CPU seconds (user + system) this process has used so far. */
export function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * Reads the run flags, loads the data set (its warnings to `io.stderr`) and makes the splits
 * (`ignoreSplit`: as if no --split).
 */
export async function setUpRun(
  args: ParsedArgs,
  io: CliIo,
  options: { ignoreSplit?: boolean; seed?: number } = {},
): Promise<RunSetup> {
  const seed = options.seed ?? args.integer('seed') ?? 1;
  const overrides = args.keyValues('set');
  const splitText = options.ignoreSplit ? undefined : args.string('split');
  const spec0 = splitText === undefined ? undefined : parseSplitSpec(splitText);
  const minRatings = args.integer('min-ratings');
  if (minRatings !== undefined && minRatings < 1)
    throw new UsageError(`--min-ratings must be at least 1, got ${minRatings}`);
  const scaleText = args.string('scale');
  const scale = scaleText === undefined ? undefined : parseScale(scaleText);
  const loadStart = performance.now();
  const loadCpuStart = cpuSeconds();
  const dataset = await openDataset(args.requireString('dataset'), args.string('data-dir'), io.stderr, scale);
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const loadCpuSeconds = cpuSeconds() - loadCpuStart;
  const spec = spec0 ?? defaultSplitSpec(dataset);
  if (
    minRatings !== undefined &&
    (spec.kind === 'predefined' || spec.kind === 'predefinedFolds' || spec.kind === 'files')
  ) {
    throw new UsageError(
      `--min-ratings cannot filter the split "${formatSplitSpec(spec)}" (use a ratio or kfold --split)`,
    );
  }
  const splitStart = performance.now();
  const splitCpuStart = cpuSeconds();
  const kept = minRatings === undefined ? undefined : minRatingsPerUser(dataset, minRatings);
  const splits = makeSplits(dataset, spec, seed, kept);
  const splitSeconds = (performance.now() - splitStart) / 1000;
  const splitCpuSeconds = cpuSeconds() - splitCpuStart;
  return {
    dataset,
    spec,
    splits,
    seed,
    overrides,
    loadSeconds,
    splitSeconds,
    loadCpuSeconds,
    splitCpuSeconds,
  };
}

/** `--scale MIN,MAX`: two numbers, MIN below MAX. */
export function parseScale(text: string): { min: number; max: number } {
  const parts = text.split(',').map((p) => p.trim());
  const [min, max] = parts.map(Number);
  if (
    parts.length !== 2 ||
    parts.includes('') ||
    !Number.isFinite(min) ||
    !Number.isFinite(max) ||
    min >= max
  ) {
    throw new UsageError(`--scale must be MIN,MAX with numbers MIN < MAX (e.g. --scale 1,5), got "${text}"`);
  }
  return { min, max };
}

/** `--validation-fraction F` as a number (default 0.1); anything but a number in [0, 1) is refused. */
export function validationFractionOf(args: ParsedArgs): number {
  const text = args.string('validation-fraction');
  if (text === undefined) return DEFAULT_VALIDATION_FRACTION;
  const fraction = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(fraction)) {
    throw new UsageError(`--validation-fraction must be a number in [0, 1) (0: no carving), got "${text}"`);
  }
  checkValidationFraction(fraction);
  return fraction;
}

export function splitLabel(spec: SplitSpec): string {
  return formatSplitSpec(spec);
}

/** `key=value` pairs of a config, for one-line display. */
export function formatConfig(config: ModelConfig): string {
  const entries = Object.entries(config);
  return entries.length === 0 ? '(none)' : entries.map(([k, v]) => `${k}=${String(v)}`).join(' ');
}

/** 1234567.8 → "1.23M", for throughput. */
export function humanRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond.toFixed(0);
}
