import { codeCell, Summary, type ResolvedManifest } from '@itemstore/core';
import { formatTags } from '@itemstore/config';

export const RESOLVE_SUMMARY_ROW_LIMIT = 500;

/** One row per entry: path, identity, tags, targets, action; identity changes say why. */
export function resolveSummary(manifest: ResolvedManifest): Summary {
  const s = new Summary().heading('resolve-tags', 2);
  const errors = manifest.errors.filter((e) => e.severity === 'error').length;
  const upserts = manifest.entries.filter((e) => e.action === 'upsert').length;
  const deletes = manifest.entries.length - upserts;
  s.paragraph(
    `Branch \`${manifest.branch}\`${manifest.isMainBranch ? ' (main branch)' : ' (feature branch: items carry its `branch` tag)'}: ` +
      `${upserts} to write, ${deletes} to delete` +
      (errors
        ? `, **${errors} error${errors === 1 ? '' : 's'}** (nothing may be written until they are fixed)`
        : '') +
      '.',
  );
  if (manifest.note) s.paragraph(`> ${manifest.note}`);
  if (manifest.entries.length) {
    s.table(
      ['path', 'identity', 'tags', 'targets', 'action', 'why'],
      manifest.entries.map((e) => [
        codeCell(e.path),
        codeCell(e.namespace),
        formatTags(e.tags),
        e.targets.map((t) => (t === 's3' ? `s3:${e.s3KeyBelowPrefix ?? ''}` : t)).join(', '),
        e.action,
        e.why ?? '',
      ]),
      { limit: RESOLVE_SUMMARY_ROW_LIMIT },
    );
  } else if (errors) {
    // Every changed config failed: saying "no configs changed" above the problems would contradict them.
    const files = new Set(manifest.errors.filter((e) => e.severity === 'error').map((e) => e.file ?? ''))
      .size;
    s.paragraph(
      `No config could be resolved: ${errors} error${errors === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}, listed below.`,
    );
  } else {
    // Not "no configs changed": a deleted config whose old identity is unknown also ends here, with a warning.
    s.paragraph(
      manifest.errors.length
        ? 'Nothing to write or delete (see the warnings below).'
        : 'Nothing to write or delete.',
    );
  }
  if (manifest.errors.length) {
    s.heading('Problems', 3).table(
      ['file', 'line', 'problem'],
      manifest.errors.map((e) => [
        e.file ? codeCell(e.file) : '',
        e.line ?? '',
        `${e.severity}: ${e.message}`,
      ]),
      { limit: RESOLVE_SUMMARY_ROW_LIMIT },
    );
  }
  return s;
}
