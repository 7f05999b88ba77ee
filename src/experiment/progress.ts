/**
 * Progress of an experiment on stderr: the expected time up front, then on a terminal one line
 * redrawn in place (run n of N, model, seed, fold, epoch, ETA), otherwise one plain line as each
 * run starts and ends. The ETA is the expected seconds of the runs left, scaled by how long the
 * finished runs took against their own expectation (the machine may be slower or busier), and
 * divided among the processes sharing the work (`--jobs`); runs another process finished count as
 * done and are listed with its scores.
 */
import type { ProgressEvent } from '../models/model.js';
import type { PlannedRun } from './plan.js';
import type { RunRecord } from './store.js';

export interface ProgressSink {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface ExperimentProgress {
  start(run: PlannedRun): void;
  epoch(event: ProgressEvent): void;
  done(run: PlannedRun, record: RunRecord): void;
  /** A run that another process sharing the output directory fitted. */
  elsewhere(run: PlannedRun, record: RunRecord): void;
  finish(): void;
}

/** `PlannedRun.role` as a short phrase (`NCF`, `SAIN topK=4`, `sweep lr=0.01`). */
export function describeRun(run: PlannedRun): string {
  const r = run.role;
  const where = `seed ${run.identity.seed}${run.identity.fold > 0 ? ` fold ${run.identity.fold + 1}` : ''}`;
  switch (r.kind) {
    case 'table':
      return `${r.label} ${where}`;
    case 'figure':
      return `${r.figure} ${r.label} x=${String(r.x)} ${where}`;
    case 'sweep':
    case 'sweep-best':
      return `${r.kind === 'sweep' ? 'sweep' : 'best'} ${r.label} ${pointText(r.point)} ${where}`;
  }
}

export function pointText(point: Readonly<Record<string, unknown>>): string {
  // A list sweep's `{}` is the model's defaults.
  if (Object.keys(point).length === 0) return 'defaults';
  return Object.entries(point)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

/** 3700 → "1 h 2 min", 95 → "1 min 35 s", 12 → "12 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${s} s`;
}

const PACE_AFTER_SECONDS = 60;

function scoresText(record: RunRecord): string {
  return Object.entries(record.metrics)
    .map(([k, v]) => `${k} ${v === null ? '-' : v.toFixed(4)}`)
    .join(' ');
}

export function experimentProgress(
  sink: ProgressSink,
  pending: readonly PlannedRun[],
  quiet = false,
  jobs = 1,
): ExperimentProgress {
  const silent = { start: () => {}, epoch: () => {}, done: () => {}, elsewhere: () => {}, finish: () => {} };
  if (quiet) return silent;
  const tty = sink.isTTY === true;
  const total = pending.length;
  let leftExpected = pending.reduce((s, r) => s + r.expectedSeconds, 0);
  let doneExpected = 0;
  let doneActual = 0;
  let index = 0;
  let current = '';
  let runStart = 0;
  let open = false;
  const eta = (): string => {
    // Trust the measured pace only once it rests on a minute of expected work, not one tiny fit.
    const pace = doneExpected >= PACE_AFTER_SECONDS ? doneActual / doneExpected : 1;
    const elapsed = (performance.now() - runStart) / 1000;
    return formatDuration(Math.max(0, (leftExpected * pace) / jobs - elapsed));
  };
  const line = (text: string): void => {
    if (tty) {
      sink.write(`\r\x1b[2K${text}`);
      open = true;
    } else sink.write(`${text}\n`);
  };
  return {
    start(run) {
      index++;
      runStart = performance.now();
      current = `[${index}/${total}] ${describeRun(run)}`;
      line(`${current}: fitting (ETA ${eta()})`);
    },
    epoch(e) {
      if (!tty) return;
      line(`${current}: epoch ${e.epoch}/${e.epochs} (ETA ${eta()})`);
    },
    done(run, record) {
      leftExpected -= run.expectedSeconds;
      doneExpected += run.expectedSeconds;
      doneActual += (performance.now() - runStart) / 1000;
      line(
        `${current}: ${scoresText(record)} in ${formatDuration(record.fitSeconds + record.predictSeconds)}`,
      );
      if (tty) {
        sink.write('\n');
        open = false;
      }
    },
    elsewhere(run, record) {
      index++;
      leftExpected -= run.expectedSeconds;
      line(`[${index}/${total}] ${describeRun(run)}: ${scoresText(record)} (fitted by another process)`);
      if (tty) {
        sink.write('\n');
        open = false;
      }
    },
    finish() {
      if (open) sink.write('\n');
      open = false;
    },
  };
}
