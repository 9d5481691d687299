/** The JSON report (output `report`) and the job summary table (key, action, bytes, reason) of a sync. */
import { Summary, codeCell, type Cell } from '@itemstore/core';
import type { AppliedItem } from './apply.js';
import { describeLocation, type S3Location } from './location.js';
import { copyWithout, type DeletionsMode } from './plan.js';

export const SYNC_REPORT_VERSION = 1;
const ROW_LIMIT = 500;

export interface SyncCounts {
  /** Objects written (dry-run: that would be written). */
  uploaded: number;
  unchanged: number;
  /** Objects deleted (dry-run: that would be deleted). */
  deleted: number;
  /** Deletions left alone: deletions is skip, or the upload that replaces the object failed. */
  kept: number;
  failed: number;
}

export interface SyncReport {
  version: typeof SYNC_REPORT_VERSION;
  /** False when the run stopped on purpose before looking at S3 (see notRunReason). */
  ran: boolean;
  notRunReason?: string;
  note?: string;
  mode: 'manifest' | 'full';
  environment: string;
  branch?: string;
  commit?: string;
  dryRun: boolean;
  deletions: DeletionsMode;
  endpoint?: string;
  locations: S3Location[];
  counts: SyncCounts;
  /** Objects whose ETag was multipart, so their bytes were fetched and hashed. */
  verifiedByContent: number;
  objects: ReportObject[];
}

export type ReportObject = Omit<AppliedItem, 'contentType'>;

export function syncReport(input: {
  mode: 'manifest' | 'full';
  environment: string;
  dryRun: boolean;
  deletions: DeletionsMode;
  branch?: string;
  commit?: string;
  endpoint?: string;
  notRunReason?: string;
  note?: string;
  locations?: S3Location[];
  items?: AppliedItem[];
  verifiedByContent?: number;
}): SyncReport {
  const items = input.items ?? [];
  return {
    version: SYNC_REPORT_VERSION,
    ran: input.notRunReason === undefined,
    ...(input.notRunReason === undefined ? {} : { notRunReason: input.notRunReason }),
    ...(input.note === undefined ? {} : { note: input.note }),
    mode: input.mode,
    environment: input.environment,
    ...(input.branch === undefined ? {} : { branch: input.branch }),
    ...(input.commit === undefined ? {} : { commit: input.commit }),
    dryRun: input.dryRun,
    deletions: input.deletions,
    ...(input.endpoint === undefined ? {} : { endpoint: input.endpoint }),
    locations: input.locations ?? [],
    counts: countItems(items),
    verifiedByContent: input.verifiedByContent ?? 0,
    objects: items.map((i) => copyWithout(i, 'contentType')),
  };
}

export function countItems(items: readonly AppliedItem[]): SyncCounts {
  const c: SyncCounts = { uploaded: 0, unchanged: 0, deleted: 0, kept: 0, failed: 0 };
  for (const i of items) {
    if (i.status === 'failed') c.failed++;
    else if (i.status === 'kept') c.kept++;
    else if (i.action === 'upload') c.uploaded++;
    else if (i.action === 'delete') c.deleted++;
    else if (i.action === 'keep') c.kept++;
    else c.unchanged++;
  }
  return c;
}

/** What the table's action column says for an object. */
export function actionLabel(o: ReportObject, dryRun: boolean): string {
  if (o.status === 'failed') return `${o.action} failed`;
  if (o.status === 'kept') return 'kept';
  if (o.action === 'upload') return dryRun ? 'would upload' : 'uploaded';
  if (o.action === 'delete') return dryRun ? 'would delete' : 'deleted';
  if (o.action === 'keep') return 'kept';
  return 'unchanged';
}

export function syncSummary(report: SyncReport): Summary {
  const s = new Summary();
  s.heading(`S3 sync${report.dryRun ? ' (dry run)' : ''}: ${report.environment}`);
  if (!report.ran) {
    return s.paragraph(`S3 sync did not run: ${report.notRunReason ?? 'no reason given'}`);
  }
  const c = report.counts;
  const verb = report.dryRun ? 'would be ' : '';
  const parts = [`${c.uploaded} ${verb}uploaded`, `${c.deleted} ${verb}deleted`, `${c.unchanged} unchanged`];
  if (c.kept) parts.push(`${c.kept} kept (not deleted: deletions: skip, or the new key was not uploaded)`);
  if (c.failed) parts.push(`**${c.failed} failed**`);
  const where = report.locations.map((l) => `\`${describeLocation(l)}\``).join(', ') || 'no S3 location';
  s.paragraph(
    `S3 sync ${report.dryRun ? 'planned' : 'ran'} (${report.mode === 'full' ? 'full sync of every default/ config' : 'changed configs'}) on ${where}: ` +
      `${parts.join(', ')}.${report.dryRun ? ' Nothing was written.' : ''}`,
  );
  if (report.note) s.paragraph(`_${report.note}_`);
  if (report.mode === 'full' && report.deletions === 'apply') {
    s.paragraph(
      'Full sync with deletions: apply: objects under the prefix that no config maps to are deleted.',
    );
  }
  const shown = report.objects.filter((o) => o.action !== 'unchanged' || o.status === 'failed');
  if (!report.objects.length) return s.paragraph('No config in this run goes to S3.');
  if (!shown.length) return s.paragraph(`All ${report.objects.length} object(s) already match.`);
  const rows: Cell[][] = shown.map((o) => [
    codeCell(o.key),
    actionLabel(o, report.dryRun),
    o.bytes,
    o.error ? `${o.reason}: ${o.error}` : o.reason,
  ]);
  s.table(['key', 'action', 'bytes', 'reason'], rows, { limit: ROW_LIMIT });
  if (c.unchanged)
    s.paragraph(`${c.unchanged} unchanged object(s) not listed (they are in the JSON report).`);
  return s;
}

/**
 * The counts in one line, for the terminal and the action log (the summary's words): a dry run says what would be
 * uploaded or deleted and that nothing was written.
 */
export function syncCountsLine(report: SyncReport): string {
  if (!report.ran) return `sync-s3: did not run: ${report.notRunReason ?? 'no reason given'}`;
  const c = report.counts;
  const verb = report.dryRun ? 'would be ' : '';
  return (
    `${report.dryRun ? 'plan' : 'sync'} s3 ${report.environment}${report.dryRun ? ' (dry run, nothing written)' : ''}: ` +
    `${c.uploaded} ${verb}uploaded, ${c.unchanged} unchanged, ${c.deleted} ${verb}deleted, ${c.kept} kept, ${c.failed} failed`
  );
}

/** One line per object that changes, for the terminal. */
export function syncLines(report: SyncReport): string[] {
  return report.objects
    .filter((o) => o.action !== 'unchanged' || o.status === 'failed')
    .map(
      (o) =>
        `${actionLabel(o, report.dryRun).padEnd(13)} s3://${o.bucket}/${o.key}  ${o.bytes} B  (${o.reason})${o.error ? `  ${o.error}` : ''}`,
    );
}
