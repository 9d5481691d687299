// Installs Debian packages the harness needs (awscli for the `aws s3 sync` peer, time for /usr/bin/time) when they
// are missing. Another process may hold the dpkg lock (unattended upgrades, another engineer's install): wait, retry.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const LOCKED =
  /Could not get lock|dpkg frontend lock|Unable to acquire the dpkg|is held by process|Unable to lock/i;

function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (err) => resolve({ code: -1, output: String(err) }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * `apt-get update && apt-get install -y <packages>` (through `sudo -n` when not root), retrying while the dpkg lock
 * is held. Resolves when `check()` holds afterwards; throws with apt's output otherwise.
 */
export async function aptInstall(packages, { check, log = () => {}, attempts = 30, waitMs = 10_000 } = {}) {
  const root = process.getuid?.() === 0;
  const prefix = root ? [] : ['sudo', '-n'];
  const exec = (args) =>
    prefix.length ? run(prefix[0], [...prefix.slice(1), ...args]) : run(args[0], args.slice(1));
  for (let attempt = 1; attempt <= attempts; attempt++) {
    log(`installing ${packages.join(' ')} with apt-get (attempt ${attempt})`);
    const update = await exec(['apt-get', 'update']);
    let result = update;
    if (update.code === 0)
      result = await exec(['apt-get', 'install', '-y', '--no-install-recommends', ...packages]);
    if (result.code === 0 && (!check || check())) return;
    if (!LOCKED.test(result.output)) {
      throw new Error(
        `apt-get could not install ${packages.join(' ')}:\n${result.output.trim().split('\n').slice(-5).join('\n')}`,
      );
    }
    log(`the dpkg lock is held by another process; retrying in ${waitMs / 1000} s`);
    await new Promise((r) => setTimeout(r, waitMs));
  }
  throw new Error(`apt-get could not install ${packages.join(' ')}: the dpkg lock stayed held`);
}

export const AWS_CLI = '/usr/bin/aws';
export const GNU_TIME = '/usr/bin/time';

/**
 * Makes sure Debian's awscli is at /usr/bin/aws (the `aws s3 sync` peer). Cases call /usr/bin/aws explicitly: another
 * `aws` (a pyenv shim, aws-cli v1) may stand earlier on PATH.
 */
export async function ensureAwsCli({ log } = {}) {
  if (existsSync(AWS_CLI)) return AWS_CLI;
  await aptInstall(['awscli'], { check: () => existsSync(AWS_CLI), log });
  return AWS_CLI;
}

/** Makes sure GNU time is at /usr/bin/time (CPU and peak memory of measured processes). */
export async function ensureGnuTime({ log } = {}) {
  if (existsSync(GNU_TIME)) return GNU_TIME;
  await aptInstall(['time'], { check: () => existsSync(GNU_TIME), log });
  return GNU_TIME;
}
