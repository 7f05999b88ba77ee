/** Reading an experiment file from disk, with errors that name it. */
import * as fs from 'node:fs';
import { UsageError } from '../util/errors.js';
import { parseExperiment, type Experiment } from './format.js';

export function readExperimentFile(file: string): Experiment {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `${file}: cannot read the experiment file (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  return parseExperiment(text, file);
}
