// The case protocol (bench/README.md): a case is bench/cases/<name>.mjs, runs standalone
// (`node bench/cases/<name>.mjs [--quick]`), logs progress on stderr and prints, as its LAST stdout line, one JSON
// object {"case": "<name>", "rows": [row, ...]}. runCase() does the plumbing:
//
//   import { runCase, row } from '../lib/case.mjs';
//   await runCase('convert', async ({ quick, runs, warmup, log }) => {
//     ...
//     return [row({ case: 'convert: 10,000 configs', ours: { value: 55, unit: 'MB/s' }, peer: null,
//                   bound: { name: 'yaml parse + JSON.stringify', value: 80, unit: 'MB/s' }, notes: '...' })];
//   });
import { parseArgs } from 'node:util';
import { round } from './stats.mjs';
import { defaultRuns } from './measure.mjs';

/** --quick, plus the run counts that go with it (at least 3 timed runs even when quick). */
export function caseOptions(argv = process.argv.slice(2)) {
  const { values } = parseArgs({
    args: argv,
    options: { quick: { type: 'boolean', default: false }, runs: { type: 'string' } },
    strict: false,
  });
  const quick = values.quick === true;
  const { runs, warmup } = defaultRuns(quick);
  return { quick, runs: values.runs ? Math.max(3, Number(values.runs)) : runs, warmup };
}

/** Progress on stderr (stdout is reserved for the result line). */
export function log(...parts) {
  process.stderr.write(`${parts.join(' ')}\n`);
}

/**
 * A result row. ours/peer/bound are {value, unit} (peer and bound also {name}); extra fields such as cpuMs and
 * maxRssMb are kept and shown. ratio defaults to ours.value / (peer ?? bound).value.
 */
export function row({ case: name, ours, peer = null, bound = null, ratio, notes = '' }) {
  if (!name) throw new Error('row: case is required');
  if (!ours || !Number.isFinite(ours.value) || !ours.unit)
    throw new Error(`row ${name}: ours needs value and unit`);
  const against = peer ?? bound;
  const computed = ratio ?? (against && against.value ? ours.value / against.value : null);
  return {
    case: name,
    ours: clean(ours),
    peer: peer ? clean(peer) : null,
    bound: bound ? clean(bound) : null,
    ratio: computed === null || computed === undefined ? null : round(computed, 3),
    notes,
  };
}

/** Figures from measureCommand() as extra fields of ours/peer/bound: {cpuMs, maxRssMb}. */
export function resources(m) {
  return {
    ...(m.cpuMs === null || m.cpuMs === undefined ? {} : { cpuMs: round(m.cpuMs, 4) }),
    ...(m.maxRssMb === null || m.maxRssMb === undefined ? {} : { maxRssMb: round(m.maxRssMb, 3) }),
  };
}

function clean(v) {
  const out = { ...v };
  if (Number.isFinite(out.value)) out.value = round(out.value, 4);
  return out;
}

/**
 * Runs a case body and prints the result line. On error: the message on stderr and exit code 1 (the runner
 * records the failure). SIGTERM (the runner's timeout) exits so that servers and measured processes are stopped.
 */
export async function runCase(name, body) {
  process.once('SIGTERM', () => process.exit(143));
  process.once('SIGINT', () => process.exit(130));
  const options = caseOptions();
  try {
    const rows = await body({ ...options, log });
    if (!Array.isArray(rows) || rows.length === 0) throw new Error('the case produced no rows');
    process.stdout.write(`\n${JSON.stringify({ case: name, rows })}\n`);
    process.exit(0);
  } catch (err) {
    log(`case ${name} failed: ${err?.stack ?? err}`);
    process.exit(1);
  }
}
