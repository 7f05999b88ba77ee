/**
 * A small closed-loop HTTP/1.1 load generator for bench/load-test.ts: C keep-alive connections on
 * raw sockets, each sending one request, waiting for the whole reply, then sending the next. It
 * times every reply exactly (autocannon's histogram rounds latencies to whole milliseconds, too
 * coarse for a 2 ms budget) and stops by itself: after a warm-up, it counts for `durationMs` or
 * `maxRequests` replies, whichever comes first. Loopback only: it connects to 127.0.0.1 and nowhere else.
 */
import * as net from 'node:net';

export interface LoadOptions {
  readonly port: number;
  /** The raw request bytes, sent again and again (must ask for keep-alive, HTTP/1.1's default). */
  readonly request: Buffer;
  readonly connections: number;
  /** Replies before this are not counted (JIT, caches). */
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly maxRequests: number;
}

export interface LoadResult {
  /** Replies counted (after the warm-up). */
  readonly requests: number;
  /** Every reply, warm-up included (to divide the server's CPU time by). */
  readonly allReplies: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Counted replies by status. */
  readonly statuses: Readonly<Record<number, number>>;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** Builds a raw GET or POST request for `path`. */
export function rawRequest(method: 'GET' | 'POST', path: string, body?: string): Buffer {
  const head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n`;
  if (body === undefined) return Buffer.from(head + '\r\n');
  return Buffer.from(
    `${head}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Status and total length of the first reply in `buffer`, or undefined while it is incomplete. */
function parseReply(buffer: Buffer): { status: number; length: number } | undefined {
  const end = buffer.indexOf(HEADER_END);
  if (end < 0) return undefined;
  const head = buffer.toString('latin1', 0, end);
  const status = Number(head.slice(9, 12));
  const match = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (match === null) throw new Error(`a reply without Content-Length: ${head.split('\r\n')[0]}`);
  const length = end + HEADER_END.length + Number(match[1]);
  return buffer.length >= length ? { status, length } : undefined;
}

export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  const start = performance.now();
  const countFrom = start + options.warmupMs;
  const stopAt = countFrom + options.durationMs;
  let countedUntil = countFrom;
  let stopped = false;
  let open = options.connections;
  let allReplies = 0;
  return new Promise((resolve, reject) => {
    const finish = (): void => {
      if (--open > 0) return;
      latencies.sort((a, b) => a - b);
      const at = (q: number): number =>
        latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
      const seconds = (countedUntil - countFrom) / 1000;
      resolve({
        requests: latencies.length,
        allReplies,
        seconds,
        perSecond: latencies.length / seconds,
        p50Ms: at(0.5),
        p99Ms: at(0.99),
        maxMs: latencies[latencies.length - 1] ?? NaN,
        statuses,
      });
    };
    for (let c = 0; c < options.connections; c++) {
      const socket = net.connect({ port: options.port, host: '127.0.0.1', noDelay: true });
      let buffer: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      const send = (): void => {
        sentAt = performance.now();
        socket.write(options.request);
      };
      socket.on('connect', send);
      socket.on('data', (chunk: Buffer) => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        let reply: ReturnType<typeof parseReply>;
        try {
          reply = parseReply(buffer);
        } catch (error) {
          stopped = true;
          socket.destroy();
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (reply === undefined) return;
        buffer = buffer.subarray(reply.length);
        allReplies++;
        const now = performance.now();
        if (sentAt >= countFrom && now <= stopAt) {
          latencies.push(now - sentAt);
          statuses[reply.status] = (statuses[reply.status] ?? 0) + 1;
          countedUntil = Math.max(countedUntil, now);
        }
        if (now > stopAt || latencies.length >= options.maxRequests) stopped = true;
        if (stopped) socket.end();
        else send();
      });
      socket.on('error', (error) => {
        stopped = true;
        reject(error);
      });
      socket.on('close', finish);
    }
  });
}
