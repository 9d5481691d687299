import { Summary, codeCell, fence, type Cell } from '@itemstore/core';
import type { DeployOutcome, DeployResult } from './apply.js';
import type { DeployPlan, PlannedStatus } from './plan.js';

export const DEPLOY_REPORT_VERSION = 1;

export interface DeployCounts {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  stale: number;
  skipped: number;
  failed: number;
}

export interface DeployReport {
  version: typeof DEPLOY_REPORT_VERSION;
  dryRun: boolean;
  environment: string;
  commit: string;
  branch: string;
  counts: DeployCounts;
  entries: DeployResult[];
}

/** The outcome a plan entry would have: what dry-run reports. */
export function plannedOutcome(status: PlannedStatus): DeployOutcome {
  const map: Record<PlannedStatus, DeployOutcome> = {
    create: 'created',
    update: 'updated',
    unchanged: 'unchanged',
    delete: 'deleted',
    stale: 'stale',
    skip: 'skipped',
  };
  return map[status];
}

/** A plan seen as results, without writing (dry-run). */
export function planAsResults(plan: DeployPlan): DeployResult[] {
  return plan.entries.map((p) => {
    const { content: _c, ...rest } = p;
    return { ...rest, outcome: plannedOutcome(p.status) };
  });
}

export function countOutcomes(results: readonly DeployResult[]): DeployCounts {
  const c: DeployCounts = {
    created: 0,
    updated: 0,
    unchanged: 0,
    deleted: 0,
    stale: 0,
    skipped: 0,
    failed: 0,
  };
  for (const r of results) c[r.outcome]++;
  return c;
}

export function deployReport(plan: DeployPlan, results: DeployResult[], dryRun: boolean): DeployReport {
  return {
    version: DEPLOY_REPORT_VERSION,
    dryRun,
    environment: plan.environment,
    commit: plan.commit,
    branch: plan.branch,
    counts: countOutcomes(results),
    entries: [...results].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
  };
}

const ROW_LIMIT = 300;
const DIFF_LIMIT = 100;
const DIFF_CHARS = 12_000;

/** The job summary: one row per entry (path, item, tags, environment, version before → after, status). */
export function deploySummary(report: DeployReport, options: { notForV2?: number } = {}): Summary {
  const s = new Summary();
  const c = report.counts;
  s.heading(
    report.dryRun
      ? `Item Store V2 plan (dry run): ${report.environment}`
      : `Item Store V2 deploy: ${report.environment}`,
  );
  const verb = report.dryRun ? 'would be ' : '';
  const parts = [
    `${c.created} ${verb}created`,
    `${c.updated} ${verb}updated`,
    `${c.deleted} ${verb}deleted`,
    `${c.unchanged} unchanged`,
  ];
  if (c.stale) parts.push(`${c.stale} stale (a newer commit is already there)`);
  if (c.skipped) parts.push(`${c.skipped} skipped`);
  if (c.failed) parts.push(`**${c.failed} failed**`);
  s.paragraph(
    `Commit \`${report.commit.slice(0, 12)}\` on branch \`${report.branch}\`: ${parts.join(', ')}.` +
      (options.notForV2 ? ` ${options.notForV2} changed file(s) do not go to V2 (S3 only).` : '') +
      (report.dryRun ? ' Nothing was written.' : ''),
  );
  if (!report.entries.length) return s.paragraph('No config for V2 in this change.');
  const rows: Cell[][] = report.entries.map((r) => [
    codeCell(r.path),
    r.itemId ? codeCell(r.itemId) : '(new)',
    codeCell(formatTags(r.tags)),
    r.environment,
    versionChange(r),
    statusCell(r, report.dryRun),
  ]);
  s.table(['path', 'item id', 'tags', 'environment', 'version', 'status'], rows, { limit: ROW_LIMIT });
  const failed = report.entries.filter((r) => r.outcome === 'failed');
  if (failed.length) {
    s.heading('Failures', 3).list(failed.map((r) => `\`${r.path}\`: ${r.error ?? 'failed'}`));
  }
  const kept = report.entries.filter((r) => r.kept);
  if (kept.length) {
    s.heading('Old items kept', 3)
      .paragraph(
        'These deletes belong to a rename or an identity change whose new write did not succeed, so the old item was left as it was (re-run the deploy once the failure is fixed):',
      )
      .list(
        kept.map(
          (r) => `\`${r.path}\` (${r.itemId ?? 'no item'}): replacement \`${r.replacedBy}\` not written`,
        ),
      );
  }
  const orphans = report.entries.filter((r) => r.orphan);
  if (orphans.length) {
    s.heading('Orphans', 3)
      .paragraph(
        `Items of the main branch in ${report.environment} that no config maps to (a config deleted before this workflow first ran, or written by hand). ` +
          (orphans.some((r) => r.outcome === 'deleted')
            ? 'They were tombstoned (prune: true).'
            : 'They were left as they are: run again with prune: true to tombstone them.'),
      )
      .list(orphans.map((r) => `\`${r.itemId}\` {${formatTags(r.tags)}}: ${r.outcome}`));
  }
  const withDiff = report.entries.filter((r) => r.diff);
  for (const r of withDiff.slice(0, DIFF_LIMIT)) {
    const diff = r.diff as string;
    const body =
      diff.length > DIFF_CHARS
        ? `${diff.slice(0, DIFF_CHARS)}\n… (diff cut at ${DIFF_CHARS} characters)`
        : diff;
    s.details(
      `${r.path}: ${report.dryRun ? 'would ' : ''}${r.outcome === 'deleted' ? 'delete' : r.outcome === 'created' ? 'create' : 'update'}`,
      fence(body, 'diff'),
    );
  }
  if (withDiff.length > DIFF_LIMIT) s.paragraph(`_${withDiff.length - DIFF_LIMIT} more diffs not shown._`);
  return s;
}

/**
 * The counts in one line, for the terminal and the action log (the same words as the summary): a dry run says
 * what would be done and that nothing was written.
 */
export function deployCountsLine(report: DeployReport, requests?: number): string {
  const c = report.counts;
  const verb = report.dryRun ? 'would be ' : '';
  return (
    `${report.dryRun ? 'plan' : 'deploy'} ${report.environment}${report.dryRun ? ' (dry run, nothing written)' : ''}: ` +
    `${c.created} ${verb}created, ${c.updated} ${verb}updated, ${c.unchanged} unchanged, ${c.deleted} ${verb}deleted, ` +
    `${c.stale} stale, ${c.failed} failed` +
    (requests === undefined ? '' : ` (${requests} requests)`)
  );
}

/** What an entry's status says: a dry run "would create", "would update", "would delete". */
export function outcomeLabel(outcome: DeployOutcome, dryRun: boolean): string {
  if (!dryRun) return outcome;
  if (outcome === 'created') return 'would create';
  if (outcome === 'updated') return 'would update';
  if (outcome === 'deleted') return 'would delete';
  return outcome;
}

/** One line per entry, for the terminal. */
export function deployLines(report: DeployReport): string[] {
  return report.entries.map(
    (r) =>
      `${outcomeLabel(r.outcome, report.dryRun).padEnd(report.dryRun ? 12 : 9)} ${r.path}  ${r.itemId ?? '(new)'}  version ${versionChange(r)}${r.reason ? `  (${r.reason})` : ''}${r.error ? `  ${r.error}` : ''}`,
  );
}

export function formatTags(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

function versionChange(r: DeployResult): string {
  const before = r.before ? `${r.before.version}${r.before.deleted ? ' (deleted)' : ''}` : '—';
  let after: string;
  if (r.after) after = String(r.after.version);
  else if (r.outcome === 'created' || r.outcome === 'updated' || r.outcome === 'deleted') {
    after = String((r.before?.version ?? 0) + 1);
  } else return before;
  return before === after ? before : `${before} → ${after}`;
}

function statusCell(r: DeployResult, dryRun: boolean): string {
  if (r.outcome === 'stale' || r.outcome === 'skipped') return `${r.outcome}: ${r.reason ?? ''}`;
  if (r.outcome === 'failed') return 'failed';
  return outcomeLabel(r.outcome, dryRun);
}

/** The summary of a dry-run without a store to compare with: every config was read and converted. */
export function validationSummary(
  prepared: readonly { entry: { path: string; action: string; tags: Record<string, string> } }[],
  environment: string,
  notForV2 = 0,
): Summary {
  const s = new Summary().heading(`Item Store V2 plan (validation only): ${environment}`);
  s.paragraph(
    `${prepared.length} config(s) for V2 are valid. No Item Store URL was given, so nothing was compared with the store.` +
      (notForV2 ? ` ${notForV2} changed file(s) do not go to V2 (S3 only).` : ''),
  );
  if (prepared.length) {
    s.table(
      ['path', 'tags', 'action'],
      prepared.map((p) => [codeCell(p.entry.path), codeCell(formatTags(p.entry.tags)), p.entry.action]),
      { limit: ROW_LIMIT },
    );
  }
  return s;
}
