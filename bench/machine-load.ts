/**
 * The machine a benchmark runs on and how busy it is, written down next to every timing: the
 * machine may be shared (2 cores, other people's jobs), so a number without its load average
 * cannot be compared with another.
 */
import * as os from 'node:os';

/** Rounded to 2 decimals, as load averages and CPU seconds are written down. */
export function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** The 1-, 5- and 15-minute load averages, rounded to 2 decimals. */
export function loadAverages(): number[] {
  return os.loadavg().map(round2);
}

/** The first CPU's model name. */
export function cpuModel(): string {
  return os.cpus()[0]?.model.trim() ?? 'unknown CPU';
}

/** `CPU model, N cores, M GiB`. */
export function machineSummary(): string {
  return `${cpuModel()}, ${os.availableParallelism()} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`;
}

/** 1-minute load averages sampled every 5 seconds while a run lasts. */
export class LoadSampler {
  private readonly samples: number[] = [];
  private readonly timer: NodeJS.Timeout;
  constructor() {
    this.samples.push(os.loadavg()[0]);
    this.timer = setInterval(() => this.samples.push(os.loadavg()[0]), 5000);
  }
  stop(): { min: number; mean: number; max: number; samples: number } {
    clearInterval(this.timer);
    this.samples.push(os.loadavg()[0]);
    const s = this.samples;
    return {
      min: round2(Math.min(...s)),
      mean: round2(s.reduce((a, b) => a + b, 0) / s.length),
      max: round2(Math.max(...s)),
      samples: s.length,
    };
  }
}
