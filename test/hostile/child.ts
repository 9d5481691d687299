/**
 * One hostile case in a process of its own (bundled by scripts/hostile-figures.mjs): prints the problems, the time
 * the plan took and the process's peak RSS as one JSON line. Usage: node child.mjs <cases dir> <case id>
 */
import { performance } from 'node:perf_hooks';
import { formatProblem, loadCases, planProblems, writeCaseRepo } from './corpus.js';

const [casesDir, id] = process.argv.slice(2);
const c = loadCases(casesDir).find((x) => x.id === id);
if (!c) throw new Error(`no case ${id} in ${casesDir}`);
const { dir, cleanup } = writeCaseRepo(c);
let problems: string[] | undefined;
let crash: string | undefined;
const started = performance.now();
try {
  problems = (await planProblems(dir, c.branch)).map(formatProblem);
} catch (err) {
  crash = String((err as Error)?.stack ?? err);
}
const ms = performance.now() - started;
cleanup();
process.stdout.write(
  JSON.stringify({ id, problems, crash, ms, maxRssKb: process.resourceUsage().maxRSS }) + '\n',
);
