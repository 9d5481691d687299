// The machine a run measured on, for the results table (numbers mean little without it).
import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem, type } from 'node:os';
import { AWS_CLI } from './apt.mjs';

export function machineInfo() {
  const list = cpus();
  return {
    cpu: list[0]?.model?.trim() || 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${type()} ${release()}`,
    git: version('git', ['--version']),
    awscli: version(AWS_CLI, ['--version']),
  };
}

function version(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 })
      .trim()
      .split('\n')[0];
  } catch {
    return null;
  }
}
