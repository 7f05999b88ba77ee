/**
 * Progress on stderr, never stdout (stdout carries results, `--json` ones included).
 *
 * On a terminal: one line redrawn in place, with a bar over the epochs of the current fold. Not on
 * a terminal (CI logs, pipes): plain lines, one per epoch for up to 50 epochs and otherwise about
 * 20 evenly spaced ones (always the first and the last), so logs stay readable.
 */
import type { EvaluationProgress } from '../eval/protocol.js';

export interface ProgressSink {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressPrinter {
  /** Called with each evaluation event. */
  readonly onProgress: (event: EvaluationProgress) => void;
  /** Ends a redrawn line so later output starts on a fresh one. */
  finish(): void;
}

const BAR_WIDTH = 24;
/** Up to this many epochs, plain (non-terminal) output has a line for every one. */
const PLAIN_LINES_ALL = 50;

export function progressPrinter(
  label: string,
  sink: ProgressSink = process.stderr,
  quiet = false,
): ProgressPrinter {
  if (quiet) return { onProgress: () => {}, finish: () => {} };
  const tty = sink.isTTY === true;
  let open = false;
  const finish = (): void => {
    if (open) sink.write('\n');
    open = false;
  };
  const onProgress = (event: EvaluationProgress): void => {
    const fold = event.folds > 1 ? ` fold ${event.fold}/${event.folds}` : '';
    const e = event.epoch;
    if (e === undefined) {
      // Phase changes are shown only on a terminal; plain logs get the epoch lines.
      if (tty && event.phase === 'fit' && !open) {
        sink.write(`\r${label}${fold}: fitting...`);
        open = true;
      }
      if (event.phase === 'done') finish();
      return;
    }
    const details = [
      `epoch ${e.epoch}/${e.epochs}`,
      e.trainLoss === undefined ? undefined : `loss ${e.trainLoss.toFixed(4)}`,
      e.validationRmse === undefined ? undefined : `validation RMSE ${e.validationRmse.toFixed(4)}`,
      `${e.seconds.toFixed(1)}s`,
    ]
      .filter((s) => s !== undefined)
      .join('  ');
    if (tty) {
      const done = e.epochs > 0 ? Math.min(BAR_WIDTH, Math.round((BAR_WIDTH * e.epoch) / e.epochs)) : 0;
      const bar = `[${'#'.repeat(done)}${'.'.repeat(BAR_WIDTH - done)}]`;
      sink.write(`\r\x1b[2K${label}${fold} ${bar} ${details}`);
      open = true;
    } else if (
      e.epochs <= PLAIN_LINES_ALL ||
      e.epoch === 1 ||
      e.epoch === e.epochs ||
      e.epoch % Math.ceil(e.epochs / 20) === 0
    ) {
      sink.write(`${label}${fold}: ${details}\n`);
    }
  };
  return { onProgress, finish };
}
