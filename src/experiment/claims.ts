/**
 * Run claims: how several processes share one experiment's runs. Before fitting a run, a process
 * creates `<out>/runs/<key>.claim` with O_EXCL (exactly one creator wins) holding its pid and host;
 * the others skip that run and come back to it later. A claim whose process has died (killed, or
 * crashed) is stale and is taken over, so a crash never blocks a run for good. The claim is removed
 * once the run's record is stored (or the fit stopped).
 *
 * This is what `--jobs N` builds on (N processes on one output directory), and it lets a user start
 * a second `heed experiment run` on the same `--out` by hand, on this machine or, over a shared file
 * system, on another (a claim from another host cannot be checked and counts as live).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

interface ClaimFile {
  readonly pid: number;
  readonly host: string;
  readonly claimedAt: string;
}

/** Claim files held by any `RunClaims` of this process: a claim with our pid outside it is a dead namesake's. */
const heldInThisProcess = new Set<string>();

export class RunClaims {
  private readonly held = new Set<string>();

  constructor(private readonly runsDir: string) {}

  private file(key: string): string {
    return path.join(this.runsDir, `${key}.claim`);
  }

  /** True when this process now holds the run: it created the claim or took over a stale one. */
  tryClaim(key: string): boolean {
    fs.mkdirSync(this.runsDir, { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const claim: ClaimFile = {
          pid: process.pid,
          host: os.hostname(),
          claimedAt: new Date().toISOString(),
        };
        fs.writeFileSync(this.file(key), JSON.stringify(claim) + '\n', { flag: 'wx' });
        this.held.add(key);
        heldInThisProcess.add(this.file(key));
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      if (!this.isStale(key)) return false;
      // Two processes may both find it stale; only one unlink-then-create wins the next round.
      fs.rmSync(this.file(key), { force: true });
    }
    return false;
  }

  /** Drops this process's claim on the run (after storing it, or when the fit stopped). */
  release(key: string): void {
    if (!this.held.delete(key)) return;
    heldInThisProcess.delete(this.file(key));
    fs.rmSync(this.file(key), { force: true });
  }

  /** Drops every claim this process still holds (on the way out, whatever happened). */
  releaseAll(): void {
    for (const key of [...this.held]) this.release(key);
  }

  /** A claim whose process is gone. Unreadable or half-written claims are stale too. */
  private isStale(key: string): boolean {
    let claim: ClaimFile;
    try {
      claim = JSON.parse(fs.readFileSync(this.file(key), 'utf8')) as ClaimFile;
    } catch {
      // Gone between the create and the read (free now), or unreadable: either way, take it.
      return true;
    }
    if (claim.host !== os.hostname()) return false;
    // Our pid: live if some part of this process holds it, else left by a dead process whose pid we reuse.
    if (claim.pid === process.pid) return !heldInThisProcess.has(this.file(key));
    return !processAlive(claim.pid);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
