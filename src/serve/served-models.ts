/**
 * Several saved models behind one service (`heed serve --model-dir A --model-dir B`), so the
 * explorer can compare them for one user. Every endpoint takes an optional `model` query parameter
 * naming one of them; without it the first one answers, so a single-model service behaves exactly
 * as before. `GET /models` lists them.
 *
 * A model's name is its directory's base name (`models/afm-gau` → `afm-gau`); when two directories
 * share a base name, each is named by the path as given, which is unique.
 */
import * as path from 'node:path';
import type { LoadedArtifact } from '../models/artifact.js';
import { canExplain } from './explanations.js';
import type { RatedItems } from './rated-items.js';
import { UsageError } from '../util/errors.js';
import { HttpError } from './request.js';

export interface ServedModel {
  /** What the `model` query parameter says to choose this one. */
  readonly name: string;
  readonly artifact: LoadedArtifact;
  /** The items each user rated in training, when known (see `rated-items.ts`). */
  readonly rated?: RatedItems;
}

/** Names for the models loaded from `dirs`, in order (see the file comment). */
export function modelNames(dirs: readonly string[]): string[] {
  const bases = dirs.map((dir) => path.basename(path.resolve(dir)));
  const names = bases.map((base, k) => (bases.indexOf(base) === bases.lastIndexOf(base) ? base : dirs[k]));
  const seen = new Set<string>();
  for (const [k, name] of names.entries()) {
    if (seen.has(name)) throw new UsageError(`--model-dir ${dirs[k]} is given twice`);
    seen.add(name);
  }
  return names;
}

/** The model the `model` query parameter names, or the first; 404 listing the names otherwise. */
export function chooseModel(models: readonly ServedModel[], query: URLSearchParams): ServedModel {
  const asked = query.getAll('model');
  if (asked.length === 0 || asked[0] === '') return models[0];
  if (asked.length > 1) throw new HttpError(400, `query parameter "model" is given ${asked.length} times`);
  const found = models.find((m) => m.name === asked[0]);
  if (found === undefined) {
    const names = models.map((m) => `"${m.name}"`).join(', ');
    throw new HttpError(
      404,
      `no served model is named "${asked[0]}" (query parameter "model"; served: ${names})`,
    );
  }
  return found;
}

/** `GET /models`: what each served model is, first (the default) first. */
export function listModels(models: readonly ServedModel[]): { models: Array<Record<string, unknown>> } {
  return {
    models: models.map(({ name, artifact, rated }) => ({
      name,
      model: artifact.manifest.model,
      dataset: artifact.manifest.dataset,
      users: artifact.manifest.users.length,
      items: artifact.manifest.items.length,
      explains: canExplain(artifact),
      excludesRated: rated !== undefined,
    })),
  };
}
