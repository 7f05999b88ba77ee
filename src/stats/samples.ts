/** Input checks shared by the tests: they refuse NaN, infinities and mismatched pairs with a message naming the entry. */
import { HeedError } from '../util/errors.js';

/** Throws unless every value is a finite number; `what` names the argument in the message. */
export function checkFinite(values: readonly number[], what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== 'number' || !Number.isFinite(values[i])) {
      throw new HeedError(`${what}[${i}] must be a finite number, got ${String(values[i])}`);
    }
  }
}

/** The differences a[i] − b[i] of two paired samples, after checking they pair up and are finite. */
export function pairedDifferences(a: readonly number[], b: readonly number[], caller: string): number[] {
  if (a.length !== b.length) {
    throw new HeedError(`${caller}: paired samples differ in length (a has ${a.length}, b has ${b.length})`);
  }
  checkFinite(a, `${caller}: a`);
  checkFinite(b, `${caller}: b`);
  return a.map((value, i) => value - b[i]);
}
