/**
 * Where a Chromium is for playwright-core, which brings no browser of its own: `HEED_CHROMIUM` when
 * set, else Debian's `chromium` package (`apt-get install chromium`) or a usual install path.
 */
import * as fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

const USUAL_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The browser's executable, or why there is none (for a test's skip message). */
export function findChromium(): { path: string } | { missing: string } {
  const configured = process.env.HEED_CHROMIUM;
  if (configured !== undefined && configured !== '') {
    return fs.existsSync(configured)
      ? { path: configured }
      : { missing: `HEED_CHROMIUM=${configured} does not exist` };
  }
  const found = USUAL_PATHS.find((p) => fs.existsSync(p));
  return found === undefined
    ? {
        missing: `no Chromium at ${USUAL_PATHS.join(', ')} (apt-get install chromium, or set HEED_CHROMIUM)`,
      }
    : { path: found };
}

/** Headless Chromium; `--no-sandbox` because CI runs as root, where Chromium's sandbox refuses to start. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
}
