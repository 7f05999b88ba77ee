/**
 * A stand-in for `serve-worker-main.js` in the tests of `heed serve --workers` restarts: it says
 * it listens, as a real worker does once its models are loaded, then crashes (exit code 3)
 * `HEED_TEST_WORKER_LIFE_MS` milliseconds after the message is sent (default 0: at once).
 */
import type { WorkerMessage } from '../src/cli/serve-workers.js';

const life = Number(process.env.HEED_TEST_WORKER_LIFE_MS ?? '0');
const listening: WorkerMessage = { type: 'listening', model: 'crashing', url: 'http://127.0.0.1:1/' };
process.send?.(listening, () => setTimeout(() => process.exit(3), life));
