/** Job summaries (Markdown) and terminal lines for validate, fix and promote: the same report, two renderings. */
import { Summary, codeCell, type Cell } from '@itemstore/core';
import { fixSubject, type FixPlan, type FixResult } from './fix.js';
import type { PromoteEntry, PromoteReport } from './promote.js';
import { DRIFT_STATUSES, isDrift, type ValidateReport, type ValidateRow } from './validate.js';

const ROW_LIMIT = 200;

export function formatTags(tags: Record<string, string> | undefined): string {
  return tags
    ? Object.entries(tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')
    : '';
}

/** What a row is about, in one phrase: the repo path, else the S3 key, else namespace and tags. */
export function rowSubject(r: ValidateRow): string {
  if (r.path) return r.path;
  if (r.key) return `s3://${r.bucket}/${r.key}`;
  return `${r.namespace} {${formatTags(r.tags)}}`;
}

export function validateSummary(report: ValidateReport): Summary {
  const s = new Summary().heading(
    `Validate ${report.environment}: ${report.against === 'repo' ? 'repo ⇄ V2 and S3 (MD5)' : 'S3 ⇄ V2 (JSON values)'}`,
  );
  const awaiting = report.awaiting
    ? ` ${report.awaiting} awaiting promotion (not drift: ${report.previousEnvironment ? `promote ${report.previousEnvironment} → ${report.environment}` : 'the deploy of main writes it'}).`
    : '';
  s.paragraph(
    report.drifted === 0
      ? `**No drift**: ${report.inSync} in sync.${awaiting}`
      : `**${report.drifted} drifted** (${DRIFT_STATUSES.filter((st) => isDrift(st) && report.counts[st])
          .map((st) => `${report.counts[st]} ${st}`)
          .join(', ')}), ${report.inSync} in sync.${awaiting}`,
  );
  s.table(
    ['status', 'count', 'drift'],
    DRIFT_STATUSES.map((st) => [st, report.counts[st], isDrift(st) ? 'yes' : 'no']),
  );
  const drifted = report.rows.filter((r) => isDrift(r.status));
  if (drifted.length) {
    s.heading('Drift', 3).table(
      ['status', 'store', 'config / object', 'detail'],
      drifted.map((r): Cell[] => [r.status, r.store, codeCell(rowSubject(r)), r.detail ?? '']),
      { limit: ROW_LIMIT },
    );
  }
  const waiting = report.rows.filter((r) => r.status === 'awaiting-promotion');
  if (waiting.length) {
    s.heading('Awaiting promotion (not drift)', 3).table(
      ['store', 'config / object', 'detail'],
      waiting.map((r): Cell[] => [r.store, codeCell(rowSubject(r)), r.detail ?? '']),
      { limit: ROW_LIMIT },
    );
  }
  const i = report.ignored;
  s.paragraph(
    (report.s3Off
      ? `S3 side: not looked at, S3 sync is off (${report.s3Off}); V2 validated alone. `
      : `S3 side: ${report.s3Side} (${report.locations.map((l) => `\`${l}\``).join(', ')}). `) +
      `Left out on purpose: ${i.branchItems} feature-branch item(s) in V2, ${i.tombstones} V2 tombstone(s) of deleted configs, ` +
      `${i.s3OutsideTeams} S3 object(s) outside team folders. ` +
      `Requests: ${report.requests.v2 === undefined ? '' : `${report.requests.v2} to V2, `}${report.requests.s3} to S3` +
      (report.against === 's3-vs-v2' ? `; ${report.contentsRead} content(s) downloaded.` : '.'),
  );
  return s;
}

export function validateLines(report: ValidateReport, options: { all?: boolean } = {}): string[] {
  return report.rows
    .filter((r) => options.all || r.status !== 'in-sync')
    .map(
      (r) =>
        `${r.status.padEnd(18)} ${r.store.padEnd(4)} ${rowSubject(r)}${r.detail ? `  (${r.detail})` : ''}`,
    );
}

export function validateCountsLine(report: ValidateReport): string {
  return (
    `validate ${report.environment} (${report.against}): ` +
    DRIFT_STATUSES.map((s) => `${report.counts[s]} ${s}`).join(', ') +
    (report.requests.v2 === undefined ? '' : `; ${report.requests.v2} V2 request(s)`) +
    `, ${report.requests.s3} S3 request(s)` +
    (report.s3Off ? ` (S3 sync off: ${report.s3Off})` : '')
  );
}

/** The plan's actions, one line each; `would` (default) when they are shown instead of being done. */
export function fixPlanLines(plan: FixPlan, options: { would?: boolean } = {}): string[] {
  const env = plan.environment;
  const i = plan.environments.indexOf(env);
  const prev = i > 0 ? plan.environments[i - 1] : undefined;
  const lines = plan.actions.map((a) => {
    switch (a.kind) {
      case 'v2-write':
        return prev
          ? `promote V2 ${a.path} ${prev} → ${env} (${a.status}; ${env} changes only by promotion; ${prev} must hold ${a.from}'s content)`
          : `write V2 ${env} ${a.path} from ${a.from} (${a.status})${a.repoFile ? `; and the repo file ${a.repoFile.path}` : ''}`;
      case 's3-upload':
        return `upload S3 s3://${a.bucket}/${a.key} from ${a.from}`;
      case 'v2-tombstone':
        return prev
          ? `promote V2 ${prev}'s tombstone of ${a.namespace} {${formatTags(a.tags)}} → ${env}`
          : `delete V2 ${a.namespace} {${formatTags(a.tags)}} in ${env}`;
      case 's3-delete':
        return `delete S3 s3://${a.bucket}/${a.key}`;
    }
  });
  // These lines describe a plan that was not applied (no --yes, or the summary's plan only): "would …".
  const would = options.would === false ? lines : lines.map((l) => `would ${l}`);
  for (const u of plan.unfixable) would.push(`cannot fix ${u.row.status} ${rowSubject(u.row)}: ${u.reason}`);
  if (plan.awaitingPromotion.length) would.push(awaitingLine(plan));
  return would;
}

function awaitingLine(plan: FixPlan): string {
  return `left alone: ${plan.awaitingPromotion.length} row(s) awaiting promotion (not drift; ${plan.environment === plan.environments[0] ? 'the deploy of main writes them' : 'run promote'})`;
}

export function fixSummary(plan: FixPlan, results: FixResult[] | undefined): Summary {
  const s = new Summary().heading(`Fix from ${plan.source} (${results ? 'applied' : 'plan only'})`, 3);
  if (!plan.actions.length) s.paragraph('Nothing to fix.');
  else if (results) {
    s.table(
      ['action', 'config / object', 'outcome', 'versions'],
      results.map((r): Cell[] => [
        r.kind,
        codeCell(fixSubject(r)),
        r.outcome + (r.error ? `: ${r.error}` : ''),
        r.versions
          ? Object.entries(r.versions)
              .map(([e, v]) => `${e} v${v}`)
              .join(', ')
          : '',
      ]),
      { limit: ROW_LIMIT },
    );
  } else s.list(fixPlanLines(plan));
  if (plan.unfixable.length && results) {
    s.paragraph(`${plan.unfixable.length} drifted row(s) could not be fixed:`).list(
      plan.unfixable.map((u) => `${u.row.status} ${rowSubject(u.row)}: ${u.reason}`),
    );
  }
  if (plan.awaitingPromotion.length) s.paragraph(awaitingLine(plan));
  return s;
}

function versionCell(e: PromoteEntry): string {
  if (e.store === 'v2') {
    const from = e.from?.version === undefined ? '—' : `v${e.from.version}`;
    const before = e.before?.version === undefined ? 'none' : `v${e.before.version}`;
    const after = e.after?.version === undefined ? '' : ` → v${e.after.version}`;
    return `${from} (to: ${before}${after})`;
  }
  const short = (m: string | undefined): string => (m ? m.slice(0, 8) : 'none');
  return `${short(e.from?.md5)} (to: ${short(e.before?.md5)}${e.after?.md5 ? ` → ${short(e.after.md5)}` : ''})`;
}

/**
 * The counts of a promotion, the same words in the summary, the terminal and the action log. A dry run says what
 * would be promoted or deleted (its entries are `planned`), never "0 promoted, 3 planned".
 */
export function promoteCounts(report: PromoteReport): string {
  const c = report.counts;
  if (report.dryRun) {
    const planned = (action: PromoteEntry['action']): number =>
      report.entries.filter((e) => e.outcome === 'planned' && e.action === action).length;
    return (
      `${planned('promote')} would be promoted, ${planned('delete')} would be deleted, ${c.unchanged} unchanged, ` +
      `${c.skipped} skipped, ${c.failed} failed`
    );
  }
  return `${c.promoted} promoted, ${c.deleted} deleted, ${c.unchanged} unchanged, ${c.skipped} skipped, ${c.failed} failed`;
}

/** `promote dev → qa (dry run, nothing written): 2 would be promoted, …` for the terminal and the action log. */
export function promoteCountsLine(report: PromoteReport): string {
  return (
    `promote ${report.from} → ${report.to}${report.dryRun ? ' (dry run, nothing written)' : ''}: ${promoteCounts(report)}` +
    (report.dryRun ? '' : `, ${report.unverified} not verified`)
  );
}

/** What an entry's outcome column says: a dry run's planned entries "would promote" or "would delete". */
export function promoteOutcomeLabel(e: PromoteEntry): string {
  if (e.outcome !== 'planned') return e.outcome;
  return e.action === 'delete' ? 'would delete' : 'would promote';
}

export function promoteSummary(report: PromoteReport): Summary {
  const s = new Summary().heading(
    `Promote ${report.from} → ${report.to}${report.dryRun ? ' (dry run: nothing written)' : ''}`,
  );
  s.paragraph(
    promoteCounts(report) +
      (report.unverified ? `; **${report.unverified} not verified**` : '') +
      `. S3: ${report.s3Sync ? 'on' : `off${report.s3Note ? ` (${report.s3Note})` : ''}, nothing written to S3 (${report.s3Skipped ?? 0} S3 cop${report.s3Skipped === 1 ? 'y' : 'ies'} skipped)`}.`,
  );
  const shown = report.entries.filter((e) => e.outcome !== 'unchanged');
  if (shown.length) {
    s.table(
      ['config', 'store', 'outcome', `${report.from} → ${report.to}`, 'verified', 'note'],
      shown.map((e): Cell[] => [
        codeCell(e.path ?? `${e.namespace} {${formatTags(e.tags)}}`),
        e.store,
        promoteOutcomeLabel(e),
        versionCell(e),
        e.verified === undefined ? '' : e.verified ? 'yes' : '**no**',
        e.error ?? e.reason ?? '',
      ]),
      { limit: ROW_LIMIT },
    );
  }
  return s;
}

export function promoteLines(report: PromoteReport): string[] {
  return report.entries.map(
    (e) =>
      `${promoteOutcomeLabel(e).padEnd(report.dryRun ? 13 : 9)} ${e.store.padEnd(2)} ${e.path ?? `${e.namespace} {${formatTags(e.tags)}}`}  ${versionCell(e)}` +
      (e.verified === false ? '  NOT VERIFIED' : '') +
      (e.error ? `  error: ${e.error}` : e.reason && e.outcome === 'skipped' ? `  (${e.reason})` : ''),
  );
}
