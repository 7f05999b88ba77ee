/**
 * Where a SAIN fit's CPU goes, per operating-system thread: the main thread, the data-parallel
 * worker and V8's background threads (GC marking, compilation), for given `threads` × `batchSize`
 * combinations run alternately. The evidence behind docs/ENGINE.md's "where the second core went":
 * with two training threads on two cores, V8's background threads are what grows.
 *
 * Each fit trains 2 epochs over the first `--samples` training ratings of SAIN's split of
 * `sain-ml100k`, shipped defaults otherwise, seed 1; the numbers are those of the second epoch.
 * Linux only (`/proc/self/task`). Timings depend on the machine's load (written beside them): run
 * it at priority on a shared machine.
 *
 *   npx tsc -p . && bench/run-at-priority.sh node dist/bench/sain-thread-cpu.js --data-dir ../shared/data \
 *     [--runs 1x128,2x128,2x64] [--samples 25600] [--rounds 2]
 *
 * `2x64` is two threads with batches of 64 each: the step of 128 examples cut in halves that
 * `threads=2` took before `batchSize` became per thread. `node --concurrent-marking dist/bench/…`
 * keeps V8's concurrent marking on (a GC flag given to the process is left alone,
 * `src/engine/gc-threads.ts`): the fits as they ran before it was paused.
 */
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveConfig } from '../src/models/config.js';
import { Sain, sainSpec } from '../src/models/sain/sain.js';
import { sainSpeedData } from './sain-speed-data.js';
import { loadAverages } from './machine-load.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string', default: process.env['HEED_DATA_DIR'] ?? '../shared/data' },
    runs: { type: 'string', default: '1x128,2x128,2x64' },
    samples: { type: 'string', default: '25600' },
    rounds: { type: 'string', default: '2' },
  },
});

const { samples, rounds, train } = await sainSpeedData(values);
const runs = values.runs.split(',').map((run) => {
  const m = /^(\d+)x(\d+)$/.exec(run.trim());
  if (m === null) throw new Error(`--runs: "${run}" is not THREADSxBATCHSIZE (e.g. 2x128)`);
  return { threads: Number(m[1]), batchSize: Number(m[2]) };
});

/** CPU seconds of every thread of this process, by thread id, with its name. */
function threadCpu(): Map<string, { name: string; seconds: number }> {
  const out = new Map<string, { name: string; seconds: number }>();
  for (const id of fs.readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/self/task/${id}/stat`, 'utf8');
    } catch {
      continue; // the thread ended between the listing and the read
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // Fields after the name: state is the 1st, utime the 12th, stime the 13th (proc(5)), in ticks.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.set(id, { name, seconds: (Number(fields[11]) + Number(fields[12])) / 100 });
  }
  return out;
}

const mainThread = String(process.pid);

for (let round = 1; round <= rounds; round++) {
  for (const { threads, batchSize } of runs) {
    const model = new Sain(resolveConfig(sainSpec, { epochs: 2, patience: 0, threads, batchSize }));
    let before = new Map<string, { name: string; seconds: number }>();
    let after = before;
    const ends: number[] = [];
    await model.fit(train, {
      onProgress: (e) => {
        ends.push(e.seconds);
        if (e.epoch === 1) before = threadCpu();
        else after = threadCpu();
      },
    });
    const used = [...after].map(([id, t]) => ({
      id,
      name: t.name,
      seconds: t.seconds - (before.get(id)?.seconds ?? 0),
    }));
    const main = used.find((t) => t.id === mainThread)?.seconds ?? 0;
    // The worker threads Heed started are the busiest non-main threads when threads > 1.
    const others = used.filter((t) => t.id !== mainThread).sort((a, b) => b.seconds - a.seconds);
    const workers = others.slice(0, threads - 1).reduce((sum, t) => sum + t.seconds, 0);
    const background = others.slice(threads - 1).reduce((sum, t) => sum + t.seconds, 0);
    const seconds = ends[1] - ends[0];
    console.log(
      `round ${round}, threads ${threads}, batchSize ${batchSize}: ${(samples / seconds).toFixed(0)} samples/s ` +
        `(epoch 2: ${seconds.toFixed(2)} s; CPU s: main ${main.toFixed(2)}, workers ${workers.toFixed(2)}, ` +
        `other threads ${background.toFixed(2)}; load ${loadAverages()[0]})`,
    );
  }
}
