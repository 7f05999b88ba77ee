/** Input checks for the figure builders: a bad value is refused with the path of the field, never drawn off-canvas. */
import { HeedError } from '../util/errors.js';

export function checkFiniteNumber(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new HeedError(`${where} must be a finite number, got ${String(value)}`);
  }
  return value;
}

/** An error bar must be finite and contain its point (low ≤ value ≤ high); a swapped pair is an error, not a guess. */
export function checkErrorBar(
  value: number,
  low: number | undefined,
  high: number | undefined,
  where: string,
): void {
  if (low !== undefined && checkFiniteNumber(low, `${where}.low`) > value) {
    throw new HeedError(`${where}.low (${low}) is above the value (${value})`);
  }
  if (high !== undefined && checkFiniteNumber(high, `${where}.high`) < value) {
    throw new HeedError(`${where}.high (${high}) is below the value (${value})`);
  }
}

export function checkText(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new HeedError(`${where} must be a non-empty string`);
  return value;
}

/** Names label legend entries; two equal names would make the legend ambiguous. */
export function checkUniqueNames(names: readonly string[], where: string): void {
  const seen = new Set<string>();
  names.forEach((name, i) => {
    checkText(name, `${where}[${i}].name`);
    if (seen.has(name)) throw new HeedError(`${where}[${i}].name "${name}" is used twice`);
    seen.add(name);
  });
}
