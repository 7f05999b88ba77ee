/**
 * The request log, made cheap: one line per request is collected in memory and written in
 * batches (up to 4 KiB, or 100 ms after the first waiting line), so a busy server makes one write
 * call per batch instead of one per request. 4 KiB is PIPE_BUF: a write that size to a pipe is
 * atomic, so workers sharing one stderr never cut each other's lines. `flush()` writes what is
 * waiting (on shutdown). bench/load-test.ts measures what the log costs.
 */
export interface RequestLog {
  readonly line: (text: string) => void;
  readonly flush: () => void;
}

const BATCH_BYTES = 4096;
const BATCH_DELAY_MS = 100;

export function batchedLog(write: (text: string) => void): RequestLog {
  let waiting: string[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (waiting.length === 0) return;
    const text = waiting.join('\n') + '\n';
    waiting = [];
    size = 0;
    try {
      write(text);
    } catch {
      // A failing log (a closed stderr, a full disk) must not stop the service.
    }
  };
  const line = (text: string): void => {
    if (size + text.length + 1 > BATCH_BYTES) flush();
    waiting.push(text);
    size += text.length + 1;
    // unref: a waiting log line must not keep a stopping process alive (shutdown flushes it).
    timer ??= setTimeout(flush, BATCH_DELAY_MS).unref();
  };
  return { line, flush };
}
