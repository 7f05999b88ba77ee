/**
 * The experiment files shipped with Heed: `experiments/<paper>/*.json` at the package root, one
 * directory per paper `heed reproduce` knows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../util/errors.js';

/** The papers `heed reproduce` can reproduce. */
export const PAPERS = ['sain', 'afm-gau', 'aanmf', 'rsattae', 'safmr'] as const;

/** `experiments/` of the installed package (dist/src/experiment/ → the package root). */
export function experimentsDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'experiments');
}

/** The experiment files of a paper, in name order. */
export function paperExperimentFiles(paper: string): string[] {
  if (!(PAPERS as readonly string[]).includes(paper))
    throw new UsageError(`unknown paper "${paper}": choose one of ${PAPERS.join(', ')}`);
  const dir = path.join(experimentsDir(), paper);
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => path.join(dir, f))
    : [];
  if (files.length === 0) throw new UsageError(`no experiment files for "${paper}" in ${dir}`);
  return files;
}
