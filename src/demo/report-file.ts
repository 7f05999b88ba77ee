/**
 * Where the demo's HTML report goes, and the one rule for writing it: a report replaces only an
 * earlier Heed report. Running `npm start` twice refreshes `heed-demo-report.html`, as a user
 * expects; a file of theirs that happens to have that name (or any `--out` they mistype) is never
 * overwritten. The target is checked before the demo trains anything, so a refusal costs nothing,
 * and the report is written to a temporary file first and renamed, so an interrupted write leaves
 * no half report.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../util/errors.js';
import { writeFileAtomic } from '../util/io.js';
import { isHeedReport } from '../report/html-report.js';

export const DEFAULT_REPORT_FILE = 'heed-demo-report.html';

/** Enough of a file to hold an HTML head with the generator mark. */
const HEAD_BYTES = 4096;

/**
 * The absolute path the report will be written to (`out`, or the default in `cwd`), after
 * checking that it can be: a `.html` name, an existing directory, and no file there unless it is
 * an earlier Heed report. Errors name the `--out` flag and the file.
 */
export function reportTarget(out: string | undefined, cwd: string): string {
  const file = path.resolve(cwd, out ?? DEFAULT_REPORT_FILE);
  if (!/\.html?$/i.test(file)) {
    throw new UsageError(`--out ${out}: the report is an HTML file; give a name ending in .html`);
  }
  const dir = path.dirname(file);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UsageError(`--out ${file}: directory ${dir} does not exist`);
  }
  if (!fs.existsSync(file)) return file;
  if (!fs.statSync(file).isFile()) throw new UsageError(`--out ${file}: is a directory, not a file`);
  if (!isHeedReport(readHead(file))) {
    throw new UsageError(
      `--out ${file}: the file exists and is not a report written by heed demo; ` +
        'refusing to overwrite it (move it, or choose another --out FILE)',
    );
  }
  return file;
}

/** Writes `html` to `file`, checked again by `reportTarget`, atomically (`writeFileAtomic`). */
export function writeReport(file: string, html: string): void {
  writeFileAtomic(reportTarget(file, path.dirname(file)), html);
}

function readHead(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const n = fs.readSync(fd, buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, n).toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}
