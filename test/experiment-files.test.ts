import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { readExperimentFile } from '../src/experiment/load.js';
import { experimentsDir, paperExperimentFiles, PAPERS } from '../src/experiment/papers.js';
import { resolveConfig } from '../src/models/config.js';
import { getModelSpec } from '../src/models/index.js';

test('every shipped experiment file parses and names real models and settings', () => {
  assert.ok(fs.existsSync(experimentsDir()), `${experimentsDir()} is missing`);
  for (const paper of PAPERS) {
    const files = paperExperimentFiles(paper);
    assert.ok(files.length > 0, paper);
    for (const file of files) {
      const e = readExperimentFile(file);
      assert.equal(path.basename(path.dirname(file)), paper);
      const entries = [
        ...e.models.map((m) => ({
          model: m.model,
          settings: { ...m.settings, ...(m.quick?.settings ?? {}) },
        })),
        ...e.figures.flatMap((f) =>
          f.series.map((s) => ({ model: s.model, settings: { ...s.settings, [f.vary]: f.values[0] } })),
        ),
      ];
      for (const { model, settings } of entries)
        assert.doesNotThrow(() => resolveConfig(getModelSpec(model), settings), `${file}: ${model}`);
      // Every paper number sits beside a metric the experiment computes.
      for (const m of e.models)
        for (const name of Object.keys(m.paper ?? {})) assert.ok(e.metrics.includes(name));
    }
  }
});

test('SAIN Table 2 lists the paper rows with their numbers', () => {
  const e = readExperimentFile(paperExperimentFiles('sain')[0]);
  // Rows with a paper number are the paper's (SAIN §3.2: its AFM is the Attention-driven Factor
  // Model, afm-gau); Xiao et al.'s Attentional FM is an extra row without one.
  assert.equal(e.models.find((m) => m.label === 'AFM')?.model, 'afm-gau');
  assert.deepEqual(
    e.models.filter((m) => m.paper !== undefined).map((m) => [m.label, m.paper?.rmse, m.paper?.mae]),
    [
      ['BiasedMF', 0.9132, 0.7165],
      ['NCF', 0.904, 0.715],
      ['AFM', 0.9126, 0.7175],
      ['LibFM', 0.9234, 0.7252],
      ['NFM', 0.9134, 0.7189],
      ['xDeepFM', 0.9104, 0.7155],
      ['SAIN', 0.8847, 0.6958],
    ],
  );
});
