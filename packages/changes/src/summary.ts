import { Summary, codeCell, type ChangeEntry, type ChangeManifest } from '@itemstore/core';
import { countChanges } from './detect.js';

/** Rows shown in the job summary's table; the rest are counted in one line (the manifest file has them all). */
export const SUMMARY_ROW_LIMIT = 500;

const REASON: Record<ChangeEntry['reason'], string> = {
  changed: 'changed',
  'tags-changed': 'a tags.yaml above it changed',
  'settings-changed': 'item-store.yaml changed',
  all: 'full listing',
};

export function changeSummary(m: ChangeManifest, options: { limit?: number } = {}): Summary {
  // A full listing is not a list of changes: the heading says so (the deploy below may still say "5 created").
  const s = new Summary().heading(m.mode === 'all' ? 'Configs (full listing)' : 'Changed configs');
  const range =
    m.baseSha === null
      ? `at \`${short(m.headSha) || 'none'}\``
      : `\`${short(m.baseSha)}\`..\`${short(m.headSha)}\``;
  const where = m.workingDirectory ? ` in \`${m.workingDirectory}/\`` : '';
  s.paragraph(
    `Event \`${m.event}\`, branch ${m.branch ? `\`${m.branch}\`` : '_(none)_'}, ${range}${where}: ${describe(m)}.`,
  );
  if (m.note) s.paragraph(`> ${m.note}`);
  if (m.entries.length) {
    s.table(
      ['status', 'path', 'previous path', 'kind', 'why'],
      m.entries.map((e) => [
        statusLabel(e),
        codeCell(e.path),
        e.previousPath === undefined ? '' : codeCell(e.previousPath),
        e.symlink ? `${e.kind} (symlink)` : e.kind,
        REASON[e.reason],
      ]),
      { limit: options.limit ?? SUMMARY_ROW_LIMIT },
    );
  }
  return s;
}

/**
 * What the status column says. The manifest's `unchanged` means "listed although its file did not change": on a
 * first push (full listing) every config is listed, and the deploy then says "5 created", so the summary must not
 * call them "unchanged"; below a changed tags.yaml or item-store.yaml the file is unchanged but its identity is
 * resolved again.
 */
export function statusLabel(e: ChangeEntry): string {
  if (e.status !== 'unchanged') return e.status;
  return e.reason === 'all' ? 'listed' : 're-resolved';
}

/** `3 paths (1 added, 2 modified)`; a full listing: `5 configs listed (full listing: ...)`. */
export function describe(m: ChangeManifest): string {
  if (!m.entries.length) return 'no config changed';
  const total = m.entries.length;
  if (m.mode === 'all') {
    return `${total} config${total === 1 ? '' : 's'} listed (full listing: every config at this commit, not a diff)`;
  }
  const counts = Object.entries(countChanges(m.entries))
    .filter(([, n]) => n > 0)
    .map(([k, n]) =>
      k === 'unchanged'
        ? `${n} re-resolved (file unchanged, a tags.yaml or item-store.yaml above changed)`
        : `${n} ${k}`,
    );
  return `${total} path${total === 1 ? '' : 's'} (${counts.join(', ')})`;
}

function short(sha: string): string {
  return sha.slice(0, 12);
}
