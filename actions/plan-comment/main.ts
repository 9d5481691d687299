import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import { actionsLogger, getBooleanInput, getInput, runAction, setOutputs } from '@itemstore/action-kit';
import { UsageError, readResolvedManifest, type ResolvedManifest } from '@itemstore/core';
import type { DeployReport } from '@itemstore/v2';

const exec = promisify(execFile);

export function run(): Promise<void> {
  return runAction('plan-comment', main);
}

async function main(): Promise<void> {
  const event = JSON.parse(await readFile(process.env.GITHUB_EVENT_PATH ?? '', 'utf8').catch(() => '{}')) as {
    pull_request?: { number?: number; head?: { sha?: string } };
  };
  const pullRequest = event.pull_request?.number;
  const headSha = event.pull_request?.head?.sha;
  if (!pullRequest || !headSha) {
    throw new UsageError('plan-comment runs on pull_request events (the event has no pull_request).');
  }
  const failed = getBooleanInput('failed', false);
  // The plan's renderer, the S3 preview and the store's helpers load once the event is known to be a pull request.
  const [{ renderPlan }, { previewS3Writes }, { runUrlFromEnv }] = await Promise.all([
    import('@itemstore/ops'),
    import('@itemstore/s3'),
    import('@itemstore/v2'),
  ]);
  const manifestPath = getInput('manifest');
  const reportPath = getInput('report');
  const manifest = manifestPath && !failed ? await readResolvedManifest(manifestPath) : undefined;
  const report =
    reportPath && !failed ? (JSON.parse(await readFile(reportPath, 'utf8')) as DeployReport) : undefined;
  const s3On = !['off', 'false', 'no', '0'].includes((getInput('s3-sync') || 'on').toLowerCase());
  const s3 = manifest
    ? s3On
      ? await previewS3Writes(manifest, { environment: getInput('s3-environment') })
      : ('off' as const)
    : undefined;
  const plan = renderPlan({
    pullRequest,
    headSha,
    failed,
    ...(manifest ? { manifest } : {}),
    ...(report ? { report } : {}),
    ...(manifest && !report ? { gitDiffs: await authorDiffs(manifest) } : {}),
    ...(s3 ? { s3 } : {}),
    ...(runUrlFromEnv() ? { runUrl: runUrlFromEnv() as string } : {}),
  });
  const dir = getInput('path') || join(process.env.RUNNER_TEMP || tmpdir(), 'itemstore-plan');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'plan.json'), JSON.stringify(plan, null, 2) + '\n');
  actionsLogger.info(`Plan for pull request #${pullRequest}: ${plan.title} (${join(dir, 'plan.json')}).`);
  setOutputs({ path: dir, title: plan.title });
}

/** The author's edit of each V2 config (base → head), shown when V2 was not compared. */
async function authorDiffs(manifest: ResolvedManifest): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!manifest.baseSha) return out;
  const prefix = manifest.workingDirectory.replace(/^\.\/?/, '').replace(/\/+$/, '');
  const inRepo = (p: string): string => (prefix ? posix.join(prefix, p) : p);
  for (const e of manifest.entries.filter((x) => x.targets.includes('v2')).slice(0, 100)) {
    const paths = [inRepo(e.path), ...(e.previousPath ? [inRepo(e.previousPath)] : [])];
    try {
      const { stdout } = await exec(
        'git',
        [
          '-c',
          'core.quotepath=false',
          'diff',
          '--no-color',
          '--no-ext-diff',
          manifest.baseSha,
          manifest.headSha,
          '--',
          ...paths,
        ],
        { cwd: manifest.repoRoot, maxBuffer: 8 * 1024 * 1024 },
      );
      if (stdout) out.set(e.path, stdout);
    } catch (err) {
      actionsLogger.debug(`no diff for ${e.path}: ${(err as Error).message}`);
    }
  }
  return out;
}
