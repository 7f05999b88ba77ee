/**
 * The check that a loader's error names the file, the line and the problem. Not a test file (see
 * test-helpers/gradcheck.ts for why it is not under test/).
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { DataError } from '../src/util/errors.js';

/** `fn` throws a DataError for `file` (by base name) at `line` whose message matches `pattern`. */
export function expectDataError(
  fn: () => unknown,
  file: string,
  line: number | undefined,
  pattern: RegExp,
): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
    assert.equal(path.basename(e.file), file);
    assert.equal(e.line, line);
    assert.match(e.message, pattern);
    return true;
  });
}
