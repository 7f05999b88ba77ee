/**
 * `heed serve --workers N` (node:cluster): the workers share one port, each serves every
 * `--model-dir`, a worker that dies is replaced while the other goes on serving, SIGTERM stops
 * them all cleanly; the request log goes
 * to `--log FILE` in batches (`request-log.ts`); and the new flags refuse bad values by name.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli/cli.js';
import type { CliIo } from '../src/cli/command.js';
import type { LoadedArtifact } from '../src/models/artifact.js';
import { batchedLog } from '../src/serve/request-log.js';
import { temporaryDir, trainSmallModel } from '../test-helpers/served-model.js';

// dist/test/serve-workers.test.js → dist/src/cli/main.js
const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.js');
const tmp = temporaryDir();
let artifact: LoadedArtifact;
let second: LoadedArtifact;

before(async () => {
  artifact = await trainSmallModel(tmp);
  second = await trainSmallModel(tmp, 'biasedmf', { factors: '4', epochs: '2' });
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * The pid of the worker that answers /health (for the served model named `model`, if given) on a
 * fresh connection, and the kind of model that answered; undefined when nobody does within 2 s (a
 * connection handed to a worker just as it was killed is lost with it).
 */
function healthOf(url: string, model?: string): Promise<{ pid: number; model: string } | undefined> {
  const target = url + 'health' + (model === undefined ? '' : `?model=${model}`);
  return new Promise((resolve) => {
    const request = http.get(target, { agent: false, timeout: 2000 }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve(JSON.parse(text) as { pid: number; model: string }));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

async function waitFor(what: string, done: () => boolean | Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('two workers share the port, each with both models; a killed worker is replaced; SIGTERM stops all (exit 0)', async () => {
  const logFile = path.join(tmp, 'requests.log');
  const child = spawn(
    process.execPath,
    [
      MAIN,
      'serve',
      '--model-dir',
      artifact.dir,
      '--model-dir',
      second.dir,
      '--port',
      '0',
      '--workers',
      '2',
      '--log',
      logFile,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await waitFor('the URL', () => /http:\/\/\S+/.test(stdout) || child.exitCode !== null);
    assert.match(
      stdout,
      /^heed serve: afm-gau, biasedmf listening on http:\/\/127\.0\.0\.1:\d+\/ \(2 workers\)\n$/,
      stderr,
    );
    const url = /http:\/\/\S+/.exec(stdout)?.[0] ?? '';
    // The primary hands each connection to a free worker in turn; one still warming up may
    // miss a few, so ask until both have answered, for each served model.
    const pids = new Set<number>();
    await waitFor('both workers to answer', async () => {
      const pid = (await healthOf(url))?.pid;
      if (pid !== undefined) pids.add(pid);
      return pids.size === 2;
    });
    const secondPids = new Set<number>();
    await waitFor('both workers to answer for the second model', async () => {
      const health = await healthOf(url, 'biasedmf');
      if (health !== undefined) {
        assert.equal(health.model, 'biasedmf');
        secondPids.add(health.pid);
      }
      return secondPids.size === 2;
    });
    assert.deepEqual([...secondPids].sort(), [...pids].sort(), 'the same two workers serve both models');
    assert.ok(!pids.has(child.pid ?? -1), 'the primary does not serve');

    const [victim, survivor] = [...pids];
    process.kill(victim, 'SIGKILL');
    await waitFor('a replacement worker', async () => {
      const pid = (await healthOf(url, 'biasedmf'))?.pid;
      return pid !== undefined && pid !== victim && pid !== survivor;
    });
    assert.match(stderr, new RegExp(`worker ${victim} stopped \\(SIGKILL\\); starting another`));

    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /SIGTERM, shutting down 2 workers/);
    // Every worker flushed its batched log lines into the one file.
    const lines = fs.readFileSync(logFile, 'utf8').trim().split('\n');
    assert.ok(lines.length >= 3, lines.join('\n'));
    for (const line of lines)
      assert.match(line, /^heed serve: GET \/health(\?model=biasedmf)? 200 \d+\.\d ms$/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('a worker that cannot start stops heed serve with its message', async () => {
  const err: string[] = [];
  const io: CliIo = { stdout: { write: () => true }, stderr: { write: (t: string) => err.push(t) }, env: {} };
  const missing = path.join(tmp, 'no-such-model');
  assert.equal(
    await runCli(['serve', '--model-dir', missing, '--port', '0', '--workers', '2', '--quiet'], io),
    1,
  );
  assert.match(err.join(''), /no-such-model: model directory not found/);
});

test('heed serve refuses bad --workers, timeouts and log flags by name', async () => {
  const err: string[] = [];
  const io: CliIo = { stdout: { write: () => true }, stderr: { write: (t: string) => err.push(t) }, env: {} };
  const serve = (...flags: string[]) => runCli(['serve', '--model-dir', artifact.dir, ...flags], io);
  assert.equal(await serve('--workers', '0'), 2);
  assert.match(err.join(''), /--workers must be between 1 and 256, got 0/);
  assert.equal(await serve('--headers-timeout', '0'), 2);
  assert.match(err.join(''), /--headers-timeout must be at least 1, got 0/);
  assert.equal(await serve('--headers-timeout', '20', '--request-timeout', '10'), 2);
  assert.match(err.join(''), /--request-timeout \(10\) must be at least --headers-timeout \(20\)/);
  assert.equal(await serve('--quiet', '--log', 'x.log'), 2);
  assert.match(err.join(''), /--quiet and --log exclude each other/);
  assert.equal(await serve('--log', path.join(tmp, 'no-dir', 'x.log'), '--port', '0'), 1);
  assert.match(err.join(''), /cannot open the request log .*no-dir.*\(--log\)/);
});

test('the request log is written in batches of whole lines, at most 4 KiB, and flushed on demand', async () => {
  const writes: string[] = [];
  const log = batchedLog((text) => writes.push(text));
  log.line('first');
  log.line('second');
  assert.equal(writes.length, 0, 'nothing written per line');
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.deepEqual(writes, ['first\nsecond\n'], 'written together after the delay');
  const long = 'x'.repeat(1000);
  for (let k = 0; k < 10; k++) log.line(long);
  log.flush();
  assert.ok(writes.length >= 3);
  for (const text of writes.slice(1)) {
    assert.ok(Buffer.byteLength(text) <= 4096, `a batch of ${text.length} bytes`);
    assert.match(text, /^(x{1000}\n)+$/);
  }
  assert.equal(writes.slice(1).join('').length, 10 * 1001);
  const failing = batchedLog(() => {
    throw new Error('disk full');
  });
  failing.line('lost');
  assert.doesNotThrow(() => failing.flush());
});
