/**
 * A tiny saved model to serve in tests: AFM-GAU (it explains) trained for 2 epochs on a small
 * synthetic data set, saved to a temporary directory with its data set statistics (as `heed train`
 * saves it, unless told not to) and opened as `heed serve` opens it. Also
 * listening on a free loopback port and closing again. Not a test file (see gradcheck.ts).
 */
import * as fs from 'node:fs';
import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateSynthetic } from '../src/data/loaders/synthetic.js';
import { ratingStatistics } from '../src/data/rating-statistics.js';
import { makeSplits, parseSplitSpec } from '../src/data/split.js';
import { initEngine } from '../src/engine/index.js';
import { modelConfig } from '../src/eval/protocol.js';
import { openArtifact, saveArtifact, type LoadedArtifact } from '../src/models/artifact.js';
import { getModelSpec } from '../src/models/index.js';
import { trainingStats } from '../src/models/predictor.js';

/**
 * Trains and saves model `id` under `dir` (removed by the caller), and opens it. `statistics:
 * false` saves it as models were saved before statistics were stored.
 */
export async function trainSmallModel(
  dir: string,
  id = 'afm-gau',
  overrides: Record<string, string> = { factors: '4', epochs: '2', batchSize: '64' },
  { statistics = true }: { readonly statistics?: boolean } = {},
): Promise<LoadedArtifact> {
  await initEngine({ backend: 'wasm' });
  const dataset = generateSynthetic({ users: 40, items: 50, ratingsPerUser: 12, seed: 3 });
  const split = makeSplits(dataset, parseSplitSpec('ratio:0.8,0.1,0.1'), 1)[0];
  const spec = getModelSpec(id);
  const model = spec.create(modelConfig(spec, overrides, 1));
  await model.fit({ dataset, indices: split.train }, { validation: { dataset, indices: split.validation } });
  const out = path.join(dir, id);
  saveArtifact(out, {
    model,
    dataset,
    stats: trainingStats({ dataset, indices: split.train }),
    ...(statistics
      ? {
          statistics: {
            dataset: ratingStatistics(dataset),
            training: ratingStatistics(dataset, split.train),
          },
        }
      : {}),
    provenance: { split: 'ratio:0.8,0.1,0.1', seed: 1 },
  });
  return await openArtifact(out);
}

export function temporaryDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'heed-serve-'));
}

/** Listens on a free loopback port; the base URL without a trailing slash. */
export async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export function close(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
