/**
 * Regenerates BENCHMARKS.md's experiment sections from the stored runs (no fitting) and rewrites
 * each experiment's results.md and results.json beside its runs; also the LIBMF side-by-side
 * section from its bench results (`libmf-section.ts`) and the "SAIN on both cores" section from
 * bench/results/sain-cores.json when it exists (bench/sain-cores.ts).
 *
 *   node dist/bench/update-benchmarks.js [--data-dir ../shared/data] [--markdown BENCHMARKS.md]
 */
import * as fs from 'node:fs';
import { BENCHMARK_EXPERIMENT_FILES } from './benchmark-experiments.js';
import { benchmarkSection, regeneratedBenchmarks, writeSectionReports } from './benchmark-sections.js';
import { libmfSectionText } from './libmf-section.js';
import { withSainCoresSection, type SainCoresResult } from './sain-cores-report.js';

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}

const dataDir = flag('--data-dir', '../shared/data');
const markdownFile = flag('--markdown', 'BENCHMARKS.md');
const sections = BENCHMARK_EXPERIMENT_FILES.map((file) => benchmarkSection(file, dataDir));
for (const section of sections) {
  writeSectionReports(section);
  console.log(
    `${section.name}: ${section.report.records.length} stored runs, ${section.report.missing} not run yet`,
  );
}
const libmf = libmfSectionText();
let markdown = fs.readFileSync(markdownFile, 'utf8');
const sainCores = 'bench/results/sain-cores.json';
if (fs.existsSync(sainCores)) {
  const result = JSON.parse(fs.readFileSync(sainCores, 'utf8')) as SainCoresResult;
  markdown = withSainCoresSection(markdown, result, markdownFile);
}
const all = libmf === undefined ? sections : [...sections, libmf];
fs.writeFileSync(markdownFile, await regeneratedBenchmarks(markdown, all, markdownFile));
