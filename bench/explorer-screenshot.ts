/**
 * Regenerates docs/explorer.png, the README's picture of the explorer: trains AFM-GAU and biased MF
 * on MovieLens 100K's u1 split with `heed train`, serves both with `heed serve`, and has headless
 * Chromium (playwright-core; see test-helpers/chromium.ts for where it looks) search a user by
 * description, open the explanation of AFM-GAU's first recommendation and take the screenshot.
 *
 *   npx tsc -p . && node dist/bench/explorer-screenshot.js --data-dir ../shared/data \
 *     [--epochs 5] [--out docs/explorer.png]
 *
 * Not a benchmark (nothing is timed); it lives here because it needs the real data set.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runCli } from '../src/cli/cli.js';
import { UsageError } from '../src/util/errors.js';
import { findChromium, launchChromium } from '../test-helpers/chromium.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    epochs: { type: 'string', default: '5' },
    out: { type: 'string', default: path.join('docs', 'explorer.png') },
  },
});
const dataDir = values['data-dir'];
if (dataDir === undefined) throw new UsageError('--data-dir DIR is required (it must hold ml-100k/)');
if (!/^[1-9]\d*$/.test(values.epochs))
  throw new UsageError(`--epochs must be a positive integer, got ${values.epochs}`);
const chromium = findChromium();
if ('missing' in chromium) throw new UsageError(chromium.missing);

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');
/** Part of a user description: the screenshot shows the first ml-100k writer's recommendations. */
const SEARCH = 'occupation writer';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-explorer-screenshot-'));
const io = { stdout: process.stdout, stderr: process.stderr, env: process.env };

async function train(model: string, sets: string[]): Promise<string> {
  const out = path.join(tmp, model);
  const args = [
    'train',
    '--model',
    model,
    '--dataset',
    'ml-100k',
    '--data-dir',
    dataDir ?? '',
    '--split',
    'u1',
  ];
  const code = await runCli([...args, '--out', out, ...sets.flatMap((s) => ['--set', s])], io);
  if (code !== 0) throw new Error(`heed train --model ${model} failed (exit ${code})`);
  return out;
}

try {
  const afm = await train('afm-gau', [`epochs=${values.epochs}`]);
  const mf = await train('biasedmf', []);
  const server = spawn(
    process.execPath,
    [
      MAIN,
      'serve',
      '--model-dir',
      afm,
      '--model-dir',
      mf,
      '--port',
      '0',
      '--exclude-rated',
      '--data-dir',
      dataDir,
      '--quiet',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const base = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      server.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const url = /http:\/\/\S+/.exec(stdout)?.[0];
        if (url !== undefined) resolve(url);
      });
      server.once('exit', (code) => reject(new Error(`heed serve exited (${code}) before listening`)));
    });
    const browser = await launchChromium(chromium.path);
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      await page.goto(base);
      await page.locator('#users li').first().waitFor();
      await page.locator('#user-search').fill(SEARCH);
      await page.waitForFunction(
        (q) =>
          [...(globalThis as unknown as InPage).document.querySelectorAll('#users li')].every((li) =>
            li.textContent.includes(q),
          ),
        SEARCH,
      );
      await page.locator('#users li').first().click();
      const column = page.locator('section.column[data-model="afm-gau"]');
      await column.locator('tr.recommendation').first().waitFor();
      await page.locator('section.column[data-model="biasedmf"] tr.recommendation').first().waitFor();
      await column.locator('button.why').first().click();
      await page.waitForFunction(() => {
        const picture = (globalThis as unknown as InPage).document.querySelector('img.picture');
        return picture !== null && picture.complete && picture.naturalWidth > 0;
      });
      await page.screenshot({ path: values.out, fullPage: false });
      process.stdout.write(`wrote ${values.out}\n`);
    } finally {
      await browser.close();
    }
  } finally {
    server.kill('SIGTERM');
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

/** The little of the page's DOM used above (this project's TypeScript has no DOM types). */
interface InPage {
  readonly document: {
    querySelector(selector: string): { complete: boolean; naturalWidth: number } | null;
    querySelectorAll(selector: string): Iterable<{ textContent: string }>;
  };
}
