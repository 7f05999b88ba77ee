/**
 * The explorer end to end in headless Chromium (playwright-core driving Debian's `chromium`): two
 * models trained with `heed train` on a small synthetic data set, served by the `heed` executable,
 * the page opened and used as a person would. It searches a user by id and by description, reads
 * the top-N titles and ratings of both models side by side, opens an explanation picture, compares
 * and stops comparing, explains one item, and reads the statistics; every assertion is on what the
 * page shows, checked against what the service answers. No page error and no blocked resource.
 *
 * Skipped, saying why, where no Chromium is installed (see test-helpers/chromium.ts).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { runCli } from '../src/cli/cli.js';
import { findChromium, launchChromium } from '../test-helpers/chromium.js';

const chromium = findChromium();
const skip = 'missing' in chromium ? `browser tests skipped: ${chromium.missing}` : false;
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');
const DATASET = 'synthetic:users=40,items=60';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'heed-explorer-browser-'));

let server: ChildProcess | undefined;
let base = '';
let browser: Browser | undefined;
let page: Page;
const problems: string[] = [];

/**
 * The page's `document`, inside functions that run in the page (page.waitForFunction): this
 * project's TypeScript has no DOM types, so the little these use is declared here. (Strings would
 * need eval, which the page's Content-Security-Policy rightly forbids.)
 */
interface PageElement {
  readonly textContent: string | null;
  readonly complete?: boolean;
  readonly naturalWidth?: number;
}
interface PageDocument {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement> & { readonly length: number };
}
/** `(globalThis as unknown as Page).document`: functions sent to the page refer to nothing outside them. */
interface InPage {
  readonly document: PageDocument;
}

async function train(model: string, sets: string[]): Promise<string> {
  const out = path.join(tmp, model);
  let stderr = '';
  const io = {
    stdout: { write: () => true },
    stderr: {
      write: (s: string) => {
        stderr += s;
        return true;
      },
    },
    env: {},
  };
  const args = ['train', '--model', model, '--dataset', DATASET, '--quiet', '--out', out];
  const code = await runCli([...args, ...sets.flatMap((s) => ['--set', s])], io);
  assert.equal(code, 0, stderr);
  return out;
}

async function json(pathAndQuery: string): Promise<Record<string, unknown>> {
  const response = await fetch(base + pathAndQuery);
  assert.equal(response.status, 200, pathAndQuery);
  return (await response.json()) as Record<string, unknown>;
}

before(async () => {
  if (skip !== false || !('path' in chromium)) return;
  const afm = await train('afm-gau', ['epochs=1', 'factors=8']);
  const mf = await train('biasedmf', ['epochs=5']);
  const child = spawn(
    process.execPath,
    [MAIN, 'serve', '--model-dir', afm, '--model-dir', mf, '--port', '0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  server = child;
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (!/http:\/\/\S+/.test(stdout) && Date.now() < deadline && child.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  base = /http:\/\/\S+/.exec(stdout)?.[0].replace(/\/$/, '') ?? '';
  assert.ok(base !== '', `heed serve printed no URL; stderr: ${stderr}`);

  browser = await launchChromium(chromium.path);
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // The browser asks for /favicon.ico by itself; the service has none (404), which is fine.
    if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico'))
      problems.push(`console: ${message.text()}`);
  });
  page.on('requestfailed', (request) => problems.push(`failed: ${request.url()}`));
  await page.goto(base + '/');
});

after(async () => {
  await browser?.close();
  if (server !== undefined && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The texts of every element `selector` matches, once there are `count` of them. */
async function texts(selector: string, count?: number): Promise<string[]> {
  const locator = page.locator(selector);
  if (count !== undefined) await locator.nth(count - 1).waitFor();
  return locator.allTextContents();
}

test('the explorer names the served models and shows the data set statistics', { skip }, async () => {
  await page.locator('#served', { hasText: 'afm-gau on synthetic' }).waitFor();
  assert.match(
    (await page.locator('#served').textContent()) ?? '',
    /^afm-gau on synthetic\S* \(40 users, 60 items\) {2}vs {2}biasedmf on synthetic\S* \(40 users, 60 items\)$/,
  );
  const stats = (await json('/stats')) as {
    all: { users: number; items: number; ratings: number; sparsity: number; histogram: unknown[] };
    training: { users: number; ratings: number; sparsity: number; histogram: unknown[] };
  };
  assert.deepEqual(await texts('#stats .stat-users', 2), [
    String(stats.all.users),
    String(stats.training.users),
  ]);
  assert.deepEqual(await texts('#stats .stat-ratings'), [
    stats.all.ratings.toLocaleString('en'),
    stats.training.ratings.toLocaleString('en'),
  ]);
  assert.deepEqual(await texts('#stats .stat-sparsity'), [
    `${(100 * stats.all.sparsity).toFixed(2)}%`,
    `${(100 * stats.training.sparsity).toFixed(2)}%`,
  ]);
  const histograms = page.locator('#stats .histogram');
  assert.equal(await histograms.count(), 2);
  assert.equal(await histograms.first().locator('.bar-row').count(), stats.all.histogram.length);
  assert.equal(await histograms.last().locator('.bar-row').count(), stats.training.histogram.length);
});

test('search a user by id and by description, and pick one', { skip }, async () => {
  const search = page.locator('#user-search');
  await search.fill('u1');
  await page.waitForFunction(() =>
    [...(globalThis as unknown as InPage).document.querySelectorAll('#users li')].every((li) =>
      /^u1\d? · /.test(li.textContent ?? ''),
    ),
  );
  const byId = await texts('#users li');
  assert.ok(byId[0].startsWith('u1 · '), byId[0]);
  assert.ok(
    byId.every((t) => /^u1\d? · /.test(t)),
    byId.join('\n'),
  );

  const found = (await json('/users?q=u7&limit=1')) as { users: Array<{ description: string }> };
  const description = found.users[0].description;
  assert.match(description, /taste/, 'the synthetic users are described by their planted taste');
  const phrase = description.slice(description.indexOf('taste'));
  await search.fill(phrase);
  await page.locator('#users p', { hasText: /users?$/ }).waitFor();
  await page.waitForFunction(
    (q) =>
      [...(globalThis as unknown as InPage).document.querySelectorAll('#users li')].every((li) =>
        (li.textContent ?? '').includes(q),
      ),
    phrase,
  );
  const expected = (await json(`/users?q=${encodeURIComponent(phrase)}&limit=12`)) as {
    users: Array<{ id: string; description: string; ratings: number }>;
  };
  assert.deepEqual(
    await texts('#users li'),
    expected.users.map((u) => `${u.id} · ${u.description} · ${u.ratings} ratings`),
  );

  await search.press('Enter');
  const chosen = expected.users[0];
  await page
    .locator('section.column h2', { hasText: `for user ${chosen.id}` })
    .first()
    .waitFor();
  assert.equal(
    await page.locator('#users li.chosen').textContent(),
    `${chosen.id} · ${chosen.description} · ${chosen.ratings} ratings`,
  );
  assert.deepEqual(await texts('section.column .user-description'), [chosen.description, chosen.description]);
});

test('both models list the top N with titles and predicted ratings, side by side', { skip }, async () => {
  const user = (await page.locator('#users li.chosen').getAttribute('data-user')) ?? '';
  for (const model of ['afm-gau', 'biasedmf']) {
    const column = page.locator(`section.column[data-model="${model}"]`);
    await column.locator('tr.recommendation').nth(9).waitFor();
    const reply = (await json(`/recommend?user=${user}&k=10&model=${model}`)) as {
      items: Array<{ item: string; title: string; rating: number }>;
    };
    assert.deepEqual(
      await column.locator('td.title').allTextContents(),
      reply.items.map((r) => r.title),
    );
    assert.ok(reply.items.every((r) => /^Film \d+ \(\d{4}\)$/.test(r.title)));
    assert.deepEqual(
      await column.locator('td.rating').allTextContents(),
      reply.items.map((r) => r.rating.toFixed(2)),
    );
  }
  // Side by side: the second column starts to the right of the first, at the same height.
  const first = await page.locator('section.column').first().boundingBox();
  const second = await page.locator('section.column').last().boundingBox();
  assert.ok(first !== null && second !== null);
  assert.ok(
    second.x >= first.x + first.width && Math.abs(second.y - first.y) < 1,
    JSON.stringify({ first, second }),
  );
  // biasedmf has nothing to explain, and says so instead of offering pictures.
  const mf = page.locator('section.column[data-model="biasedmf"]');
  assert.equal(await mf.locator('button.why').count(), 0);
  assert.match((await mf.textContent()) ?? '', /model biasedmf does not explain its predictions/);
});

test(
  '"why?" opens the picture of the model that made the recommendation, and closes it',
  { skip },
  async () => {
    const column = page.locator('section.column[data-model="afm-gau"]');
    const row = column.locator('tr.recommendation').nth(1);
    const item = (await row.getAttribute('data-item')) ?? '';
    const title = (await row.locator('td.title').textContent()) ?? '';
    await row.locator('button.why').click();
    const img = column.locator('img.picture');
    await img.waitFor();
    // Loaded and decoded: the server's SVG is a picture the browser can draw.
    await page.waitForFunction(() => {
      const picture = (globalThis as unknown as InPage).document.querySelector('section.column img.picture');
      return picture !== null && picture.complete === true && (picture.naturalWidth ?? 0) > 0;
    });
    const user = (await page.locator('#users li.chosen').getAttribute('data-user')) ?? '';
    assert.equal(await img.getAttribute('src'), `/explain.svg?user=${user}&item=${item}&model=afm-gau`);
    assert.match(
      (await img.getAttribute('alt')) ?? '',
      new RegExp(`afm-gau's explanation .* user ${user} and `),
    );
    const svg = await (await fetch(`${base}/explain.svg?user=${user}&item=${item}&model=afm-gau`)).text();
    assert.ok(svg.includes(`predicted for ${title}`), 'the picture names the item by its title');
    assert.match(svg, /Attention over the item features/);
    // The picture sits right under its row, and a second click closes it.
    assert.equal(
      await column
        .locator('tr.recommendation')
        .nth(1)
        .locator('xpath=following-sibling::tr[1]')
        .getAttribute('class'),
      'picture-row',
    );
    await row.locator('button.why').click();
    assert.equal(await column.locator('img.picture').count(), 0);
  },
);

test('compare with nothing, then with biasedmf again; explain one item with both', { skip }, async () => {
  await page.locator('#model-b').selectOption('');
  await page.waitForFunction(
    () => (globalThis as unknown as InPage).document.querySelectorAll('section.column').length === 1,
  );
  assert.match(
    (await page.locator('#served').textContent()) ?? '',
    /^afm-gau on \S+ \(40 users, 60 items\)$/,
  );
  await page.locator('#model-b').selectOption('biasedmf');
  await page.locator('section.column[data-model="biasedmf"] tr.recommendation').first().waitFor();
  assert.equal(await page.locator('section.column').count(), 2);

  const item = 'i5';
  await page.locator('#item').fill(item);
  await page.locator('#explain').click();
  const picture = page.locator('#pair img.picture');
  await picture.waitFor();
  // Only the model that explains draws a picture.
  assert.equal(await picture.count(), 1);
  assert.match((await picture.getAttribute('src')) ?? '', new RegExp(`item=${item}&model=afm-gau$`));
});

test('the page loaded nothing from elsewhere and had no error', { skip }, () => {
  assert.deepEqual(problems, []);
});
