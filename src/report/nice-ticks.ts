/**
 * Axis ticks at 'nice' numbers (1, 2, 2.5 or 5 times a power of ten) covering a data range, in the
 * manner of Heckbert, "Nice numbers for graph labels" (Graphics Gems, 1990).
 */

export interface Ticks {
  /** Tick values, ascending; the first and last enclose the data and are the axis domain. */
  values: number[];
  step: number;
  /** Decimals needed to print every tick distinctly. */
  decimals: number;
}

const NICE_MANTISSAS = [1, 2, 2.5, 5, 10];

/** About `target` ticks (never more than target + 1) spanning [min, max]; a zero-width range is widened around its value. */
export function niceTicks(min: number, max: number, target = 5): Ticks {
  if (min === max) {
    const half = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceTicks(min - half, max + half, target);
  }
  const rawStep = (max - min) / Math.max(1, target - 1);
  const power = 10 ** Math.floor(Math.log10(rawStep));
  const mantissa = NICE_MANTISSAS.find((m) => m * power >= rawStep * (1 - 1e-12)) ?? 10;
  const step = mantissa * power;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-12) + (mantissa === 2.5 ? 1 : 0));
  // Rounding each tick to `decimals` removes the 0.30000000000000004 of repeated addition.
  const round = (value: number): number => Number(value.toFixed(Math.min(20, decimals)));
  const first = Math.floor(min / step + 1e-9);
  const last = Math.ceil(max / step - 1e-9);
  const values: number[] = [];
  for (let i = first; i <= last; i++) values.push(round(i * step));
  return { values, step, decimals };
}

export function formatTick(value: number, decimals: number): string {
  const printed = value.toFixed(Math.min(20, decimals));
  return /^-0(\.0*)?$/.test(printed) ? printed.slice(1) : printed;
}
