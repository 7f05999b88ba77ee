/**
 * Display names saved with a model, so that explanations, the explorer and the service can show
 * "Kolya (1996)" and "age 49, gender M, occupation writer" instead of bare ids, without the data
 * set at hand.
 *
 * `labels.json` in a saved model directory holds what the data set had when the model was saved:
 * the item titles (MovieLens, SAIN's raw item file, csv: with a title column), and the feature
 * fields of both sides, each with its value labels and every entity's values (genre names,
 * occupation, age bin, SAIN's actor and director codes). A data set without titles
 * (Amazon) or without features leaves those parts out, and `notes` says so in a sentence.
 *
 * The file is optional: models saved before it existed load with empty labels, and every name then
 * falls back to the raw id ("item 242").
 */
import * as fs from 'node:fs';
import type { Dataset, FeatureField, IdMap } from '../data/dataset.js';
import { DataError } from '../util/errors.js';

export const LABELS_FILE = 'labels.json';
const LABELS_FORMAT = 'heed-labels';
const LABELS_VERSION = 1;

/** One feature field as saved: its value labels and the codes of every entity (dense order). */
export interface SavedField {
  readonly name: string;
  /** Label of each code ("Action", "writer", "45-49"). */
  readonly values: string[];
  /** `codes[e]`: the codes of entity e (empty when missing). */
  readonly codes: number[][];
}

/** The parsed `labels.json`. */
export interface SavedLabels {
  readonly format: typeof LABELS_FORMAT;
  readonly version: number;
  /** Display name of each item, aligned with the artifact's item ids; absent when the data has none. */
  readonly itemTitles?: string[];
  readonly userFields: SavedField[];
  readonly itemFields: SavedField[];
  /** What the data set lacks ("no item titles: …"), one sentence each. */
  readonly notes: string[];
}

/** A feature field's name and the labels of its values: the vocabulary behind "genre=Action". */
export interface FieldLabels {
  readonly name: string;
  readonly values: readonly string[];
}

/** What `labels.json` holds for `dataset`. */
export function labelsOfDataset(dataset: Dataset): SavedLabels {
  const titles = dataset.itemTitles;
  const hasTitles = titles !== undefined && titles.some((t) => t !== '');
  const notes: string[] = [];
  if (!hasTitles) notes.push(`no item titles: data set "${dataset.id}" has none, so items show their ids`);
  if (dataset.userFeatures.fields.length === 0)
    notes.push(`no user features: data set "${dataset.id}" has none, so users show their ids`);
  if (dataset.itemFeatures.fields.length === 0)
    notes.push(`no item features: data set "${dataset.id}" has none`);
  for (const field of [...dataset.userFeatures.fields, ...dataset.itemFeatures.fields]) {
    if (field.kind === 'categorical' && field.vocabulary.every((v) => /^\d+$/.test(v)))
      notes.push(`no names for field "${field.name}": data set "${dataset.id}" has only its codes`);
  }
  return {
    format: LABELS_FORMAT,
    version: LABELS_VERSION,
    ...(hasTitles ? { itemTitles: [...titles] } : {}),
    userFields: dataset.userFeatures.fields.map((f) => saveField(f, dataset.users.ids.length)),
    itemFields: dataset.itemFeatures.fields.map((f) => saveField(f, dataset.items.ids.length)),
    notes,
  };
}

function saveField(field: FeatureField, count: number): SavedField {
  const codes: number[][] = [];
  for (let e = 0; e < count; e++)
    codes.push(Array.from(field.codes.subarray(field.offsets[e], field.offsets[e + 1])));
  return { name: field.name, values: [...field.vocabulary], codes };
}

/**
 * Reads `labels.json` of a model directory whose ids are `users` and `items`; undefined when the
 * model was saved without one. Every failure names the file and the field.
 */
export function readLabels(file: string, users: IdMap, items: IdMap): SavedLabels | undefined {
  if (!fs.existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DataError(
      file,
      undefined,
      undefined,
      `not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const bad = (field: string, problem: string): never => {
    throw new DataError(file, undefined, field, problem);
  };
  if (!isObject(json)) return bad('(top level)', 'expected a JSON object');
  if (json.format !== LABELS_FORMAT)
    bad('format', `expected "${LABELS_FORMAT}", got ${JSON.stringify(json.format)}`);
  if (json.version !== LABELS_VERSION)
    bad(
      'version',
      `version ${JSON.stringify(json.version)} is not supported (this Heed reads ${LABELS_VERSION})`,
    );
  const titles = json.itemTitles;
  if (titles !== undefined) {
    if (!Array.isArray(titles) || !titles.every((t) => typeof t === 'string'))
      bad('itemTitles', 'expected an array of strings');
    else if (titles.length !== items.ids.length)
      bad('itemTitles', `${titles.length} titles for the model's ${items.ids.length} items`);
  }
  for (const [key, count] of [
    ['userFields', users.ids.length],
    ['itemFields', items.ids.length],
  ] as const) {
    const fields = json[key];
    if (!Array.isArray(fields)) return bad(key, 'expected an array of fields');
    fields.forEach((f, k) => checkField(f, `${key}[${k}]`, count, bad));
  }
  if (!Array.isArray(json.notes) || !json.notes.every((n) => typeof n === 'string'))
    bad('notes', 'expected an array of strings');
  return json as unknown as SavedLabels;
}

function checkField(
  f: unknown,
  at: string,
  count: number,
  bad: (field: string, problem: string) => never,
): void {
  if (!isObject(f)) return bad(at, 'expected an object');
  if (typeof f.name !== 'string') bad(`${at}.name`, 'expected a string');
  const values = f.values;
  if (!Array.isArray(values) || !values.every((v) => typeof v === 'string'))
    return bad(`${at}.values`, 'expected an array of strings');
  const codes = f.codes;
  if (!Array.isArray(codes) || codes.length !== count)
    return bad(`${at}.codes`, `expected ${count} arrays of codes`);
  codes.forEach((list, e) => {
    if (!Array.isArray(list) || !list.every((c) => Number.isInteger(c) && c >= 0 && c < values.length))
      bad(`${at}.codes[${e}]`, `expected codes 0..${values.length - 1}`);
  });
}

/**
 * The names a saved model shows, by raw id. Always usable: without saved labels every name is the
 * raw id ("item 242", "user 196") and entities have no features.
 */
export class ArtifactLabels {
  constructor(
    private readonly saved: SavedLabels | undefined,
    private readonly users: IdMap,
    private readonly items: IdMap,
  ) {}

  /** The item's title, or `item <id>` when the data set had none (or the id is unknown). */
  item(rawId: string): string {
    return this.itemTitle(rawId) ?? `item ${rawId}`;
  }

  /** The item's title; undefined when there is none. */
  itemTitle(rawId: string): string | undefined {
    const i = this.items.index.get(rawId);
    const title = i === undefined ? undefined : this.saved?.itemTitles?.[i];
    return title === undefined || title === '' ? undefined : title;
  }

  /** "user 196 (age 45-49, gender M, occupation writer)", or "user 196" without user features. */
  user(rawId: string): string {
    const description = this.userDescription(rawId);
    return description === '' ? `user ${rawId}` : `user ${rawId} (${description})`;
  }

  /**
   * "age 45-49, gender M, occupation writer": the labels models see (a binned age shows its bin,
   * since some data sets, such as ml-1m, only have the bin).
   */
  userDescription(rawId: string): string {
    const u = this.users.index.get(rawId);
    if (u === undefined || this.saved === undefined) return '';
    const parts: string[] = [];
    for (const field of this.saved.userFields) {
      const shown = field.codes[u].map((c) => field.values[c]).join('/');
      if (shown !== '') parts.push(`${field.name} ${shown}`);
    }
    return parts.join(', ');
  }

  /** The user's features as models name them: ["age=45-49", "gender=M", "occupation=writer"]. */
  userFeatures(rawId: string): string[] {
    return featuresOf(this.saved?.userFields, this.users.index.get(rawId));
  }

  /** The item's features as models name them: ["year=1990-1999", "genre=Comedy", …]. */
  itemFeatures(rawId: string): string[] {
    return featuresOf(this.saved?.itemFields, this.items.index.get(rawId));
  }

  /** The feature fields of users or items, with the labels of their values. */
  fields(side: 'user' | 'item'): FieldLabels[] {
    const fields = side === 'user' ? this.saved?.userFields : this.saved?.itemFields;
    return (fields ?? []).map((f) => ({ name: f.name, values: f.values }));
  }

  /** Whether the model was saved with item titles. */
  get hasItemTitles(): boolean {
    return this.saved?.itemTitles !== undefined;
  }

  /** What the saved labels lack, one sentence each (a model saved without labels says so). */
  get notes(): readonly string[] {
    return this.saved?.notes ?? ['saved without labels (an older Heed): items and users show their ids'];
  }
}

function featuresOf(fields: readonly SavedField[] | undefined, e: number | undefined): string[] {
  if (fields === undefined || e === undefined) return [];
  return fields.flatMap((f) => f.codes[e].map((c) => `${f.name}=${f.values[c]}`));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
