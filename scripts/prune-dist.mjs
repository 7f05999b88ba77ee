// Deletes compiled files in dist/ whose TypeScript source no longer exists, so that a test or
// bench deleted or renamed in src/, test/ or bench/ does not keep running from a stale build.
//   node scripts/prune-dist.mjs
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import process from 'node:process';

const OUTPUT = /\.(d\.ts\.map|d\.ts|js\.map|js)$/;

function prune(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      prune(path);
      continue;
    }
    const source = relative('dist', path).replace(OUTPUT, '.ts');
    if (OUTPUT.test(entry.name) && !existsSync(source)) {
      rmSync(path);
      process.stdout.write(`pruned stale ${path}\n`);
    }
  }
}

prune('dist');
