/**
 * `itemstore demo` as a user runs it (`npm run demo` = `node dist/cli/itemstore.js demo`): every step green, and
 * no process left behind, neither after a normal run nor after Ctrl-C in the middle (checked with ps: no process
 * whose command line mentions the demo's temp folder). Needs `npm run build`.
 */
import { expect, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../helpers/run-bundle.js';

const cli = join(repoRoot, 'dist', 'cli', 'itemstore.js');

/** Processes (pid and command line) whose command line contains `needle`. */
function processesWith(needle: string): string[] {
  const ps = spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps.stdout.split('\n').filter((l) => l.includes(needle) && !l.includes('ps -eo'));
}

function startDemo(args: string[] = []) {
  const child = spawn(process.execPath, [cli, 'demo', '--no-summaries', ...args], {
    cwd: repoRoot,
    env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  return { child, exit, output: () => out };
}

/** The temp folder the demo prints in its header (`config repo /tmp/itemstore-demo-XXXX/config-repo-YYYY`). */
function demoTemp(out: string): string {
  const m = /config repo (\S*itemstore-demo-[^/\s]+)/.exec(out);
  if (!m) throw new Error(`no temp folder in the demo's output:\n${out}`);
  return m[1] as string;
}

test('the demo runs every step green and leaves no process behind', async () => {
  const demo = startDemo();
  const code = await demo.exit;
  const out = demo.output();
  expect({ code, tail: out.slice(-1500) }).toEqual({ code: 0, tail: expect.stringContaining('steps green') });
  expect(out).not.toMatch(/✗/);
  expect(out).toContain('S3 (s3rver) http://127.0.0.1:');
  // Only this run's processes: every one the demo starts names its own temp folder (other runs on the machine
  // have theirs, and are not this test's business).
  const temp = demoTemp(out);
  expect(processesWith(temp)).toEqual([]);
}, 90_000);

test('Ctrl-C in the middle stops the servers and every child process group', async () => {
  const demo = startDemo();
  // Wait until the first workflow is running (servers up, actions spawning).
  const deadline = Date.now() + 30_000;
  while (!/▶ .*deploy\.yaml/.test(demo.output()) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const temp = demoTemp(demo.output());
  expect(processesWith(temp).length).toBeGreaterThan(0); // s3rver at least
  demo.child.kill('SIGINT');
  expect(await demo.exit).toBe(130);
  expect(demo.output()).toContain('SIGINT: stopping');
  // Give the kernel a moment to reap.
  await new Promise((r) => setTimeout(r, 200));
  expect(processesWith(temp)).toEqual([]);
}, 60_000);
