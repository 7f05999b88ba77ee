/**
 * The run store: one JSON file per finished run, `<out>/runs/<key>.json`, written atomically
 * (temporary file, then rename) so that a kill leaves either the whole record or none. A run whose
 * file exists is finished and is never fitted again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HeedError } from '../util/errors.js';
import { writeFileAtomic } from '../util/io.js';
import type { ColdStartCounts } from '../models/predictor.js';
import type { CatalogueNdcg } from '../eval/catalogue-ndcg.js';
import type { RunRole } from './plan.js';
import type { RunIdentity } from './run-key.js';
import type { Settings } from './format.js';

/** Where an imported run came from (a run measured before the runner, copied from its JSON). */
export interface Provenance {
  /** The file the numbers were copied from. */
  readonly source: string;
  readonly date: string;
  /** The command that measured it. */
  readonly command: string;
  readonly machine: string;
  /** What the source lacked, e.g. a metric it did not measure (stored as null). */
  readonly note?: string;
}

/**
 * What `heed evaluate` reports of a fit beyond a run record's own fields (`FoldResult`). Runs
 * stored before this existed, and imported runs, lack it.
 */
export interface RunDetail {
  /** The split's name (`u1`, `fold 2 of 5`). */
  readonly split: string;
  /** Always measured, whatever the experiment's metrics. */
  readonly rmse: number;
  readonly mae: number;
  readonly mse: number;
  readonly ndcg10: number | null;
  readonly samplesPerSecond: number;
  readonly bestValidationRmse?: number;
  readonly nValidation: number;
  readonly coldStart: ColdStartCounts;
  readonly catalogueNdcg?: CatalogueNdcg;
}

/** A finished run as stored. */
export interface RunRecord {
  readonly key: string;
  readonly identity: RunIdentity;
  readonly role: RunRole;
  readonly settings: Settings;
  /** Metric values on the part scored (`identity.scoredOn`), keyed by metric name. */
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly fitSeconds: number;
  readonly predictSeconds: number;
  readonly epochs: number;
  readonly bestEpoch?: number;
  readonly nTrain: number;
  readonly nTest: number;
  readonly notes?: readonly string[];
  readonly detail?: RunDetail;
  /** ISO time the run finished (for an imported run: when it was imported). */
  readonly finishedAt: string;
  /** Present when the run was imported from an earlier measurement rather than fitted by the runner. */
  readonly provenance?: Provenance;
}

export class RunStore {
  readonly dir: string;

  constructor(outDir: string) {
    this.dir = path.join(outDir, 'runs');
  }

  private file(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }

  has(key: string): boolean {
    return fs.existsSync(this.file(key));
  }

  read(key: string): RunRecord {
    const file = this.file(key);
    let record: RunRecord;
    try {
      record = JSON.parse(fs.readFileSync(file, 'utf8')) as RunRecord;
    } catch (error) {
      throw new HeedError(
        `${file}: cannot read this stored run (${error instanceof Error ? error.message : String(error)}); delete it to run it again`,
      );
    }
    if (record.key !== key) throw new HeedError(`${file}: holds run ${record.key}, not ${key}; delete it`);
    return record;
  }

  /**
   * The stored run of `run.key` in the role this plan gives it. One fit can serve several planned
   * roles (a figure's point at a model's table settings is that row's run), so the role is the
   * plan's, not the one the record was first written with.
   */
  readFor(run: { readonly key: string; readonly role: RunRole }): RunRecord {
    return { ...this.read(run.key), role: run.role };
  }

  write(record: RunRecord): void {
    writeFileAtomic(this.file(record.key), JSON.stringify(record, null, 2) + '\n');
  }
}
