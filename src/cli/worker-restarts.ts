/**
 * How `heed serve --workers N` replaces workers that die: after a delay that doubles with every
 * death in the recent window, and not at all once too many died in it.
 *
 * Why: a worker that dies for a lasting reason (memory too tight for the models, a request that
 * crashes every worker it reaches) would otherwise be replaced at once, forever, each replacement
 * loading every model again: a crash loop that keeps a core busy and floods the log. Doubling the
 * delay keeps a loop cheap while it lasts; the limit turns it into one clear failure. A death now
 * and then (deaths further apart than the window) is replaced after the first, short delay.
 */
export interface RestartPolicy {
  /** Delay before replacing the first worker that died within the window. */
  readonly firstDelayMs: number;
  /** The doubling stops here. */
  readonly maxDelayMs: number;
  /** Replacements allowed within one window; one more death gives up. */
  readonly maxRestarts: number;
  readonly windowMs: number;
}

/** 0.1 s, 0.2 s, 0.4 s, 0.8 s, 1.6 s; a sixth death within a minute stops the service. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  firstDelayMs: 100,
  maxDelayMs: 10_000,
  maxRestarts: 5,
  windowMs: 60_000,
};

/** What to do about a death: replace the worker after `delayMs`, or give up. */
export type RestartDecision =
  | { readonly restart: true; readonly delayMs: number; readonly recentDeaths: number }
  | { readonly restart: false; readonly recentDeaths: number };

/** The deaths of the recent window, shared by all of a service's workers. */
export class WorkerRestarts {
  private deaths: number[] = [];

  constructor(
    readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY,
    private readonly now: () => number = () => Date.now(),
  ) {
    const { firstDelayMs, maxDelayMs, maxRestarts, windowMs } = policy;
    if (!(firstDelayMs >= 0 && maxDelayMs >= firstDelayMs && maxRestarts >= 0 && windowMs > 0)) {
      throw new RangeError(`bad worker restart policy ${JSON.stringify(policy)}`);
    }
  }

  /** Records a worker's death and decides. */
  died(): RestartDecision {
    const t = this.now();
    this.deaths = this.deaths.filter((at) => t - at < this.policy.windowMs);
    this.deaths.push(t);
    const recentDeaths = this.deaths.length;
    if (recentDeaths > this.policy.maxRestarts) return { restart: false, recentDeaths };
    const delayMs = Math.min(this.policy.maxDelayMs, this.policy.firstDelayMs * 2 ** (recentDeaths - 1));
    return { restart: true, delayMs, recentDeaths };
  }
}
