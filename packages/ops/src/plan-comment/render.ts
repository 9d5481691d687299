/**
 * The pull request plan as one Markdown comment and a check run title: what merging would change in Item Store V2
 * (one row per item, a diff per item) and, while S3 sync is on, the S3 objects the merge writes (keys, sizes, the
 * legacy DQ text). Rendered in the untrusted plan job from its own reports; posted by a trusted workflow
 * (post.ts), which adds the marker and never trusts more than the text and the pull request number it checks.
 */
import { Summary, codeCell, fence, type ResolvedManifest } from '@itemstore/core';
import type { S3Preview } from '@itemstore/s3';
import { formatTags, type DeployReport } from '@itemstore/v2';

export const PLAN_ARTIFACT_VERSION = 1;
/** GitHub refuses comments over 65,536 characters; leave room for the marker. */
export const COMMENT_LIMIT = 60_000;
const DIFF_CHARS = 6_000;
const LEGACY_CHARS = 4_000;

export type PlanConclusion = 'success' | 'failure' | 'neutral';

/** What the plan job hands the trusted poster (plan.json in the artifact). */
export interface PlanArtifact {
  version: typeof PLAN_ARTIFACT_VERSION;
  pullRequest: number;
  /** The pull request's head commit the plan was made for (the check run goes there). */
  headSha: string;
  /** The check run's title, e.g. "1 create, 2 updates, 1 delete". */
  title: string;
  conclusion: PlanConclusion;
  /** The comment's Markdown (without the marker). */
  body: string;
}

export interface RenderPlanInput {
  pullRequest: number;
  headSha: string;
  /** resolve-tags' manifest; absent when nothing changed or the plan stopped before it. */
  manifest?: ResolvedManifest;
  /** deploy-item-store-v2's dry-run report; absent when V2 was not compared (no read token). */
  report?: DeployReport;
  /** Per path: the author's edit as a unified diff (shown when V2 was not compared). */
  gitDiffs?: ReadonlyMap<string, string>;
  /** The S3 side while S3 sync is on; `off` when ITEMSTORE_S3_SYNC is off. */
  s3?: S3Preview | 'off';
  /** A step of the plan failed (its annotations say why). */
  failed?: boolean;
  runUrl?: string;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** "1 create, 2 updates, 1 delete": the V2 changes merging would make. */
export function planTitle(input: RenderPlanInput): string {
  if (input.failed) return 'The plan failed: see the annotations of the run';
  if (!input.manifest) return 'No config changes';
  const parts: string[] = [];
  if (input.report) {
    const c = input.report.counts;
    if (c.created) parts.push(plural(c.created, 'create'));
    if (c.updated) parts.push(plural(c.updated, 'update'));
    if (c.deleted) parts.push(plural(c.deleted, 'delete'));
    if (c.stale) parts.push(`${c.stale} stale`);
    if (c.failed) parts.push(`${c.failed} failed`);
    if (!parts.length) parts.push('no V2 changes');
  } else {
    const v2 = v2Entries(input.manifest);
    parts.push(`${plural(v2.length, 'config')} for V2 valid (not compared with V2)`);
  }
  if (input.s3 && input.s3 !== 'off') {
    const s3: string[] = [];
    if (input.s3.upserts.length) s3.push(plural(input.s3.upserts.length, 'S3 write'));
    if (input.s3.deletions.length) s3.push(plural(input.s3.deletions.length, 'S3 delete'));
    if (s3.length) return `${parts.join(', ')}; ${s3.join(', ')}`;
  }
  return parts.join(', ');
}

export function renderPlan(input: RenderPlanInput): PlanArtifact {
  const title = planTitle(input);
  const conclusion: PlanConclusion = input.failed
    ? 'failure'
    : input.report?.counts.failed
      ? 'failure'
      : 'success';
  const head = `Item Store plan for \`${input.headSha.slice(0, 12)}\``;
  const run = input.runUrl ? ` ([the run](${input.runUrl}))` : '';
  const s = new Summary();
  s.raw(`### ${head}: ${escapeTitle(title)}\n`);
  if (input.failed) {
    s.paragraph(
      `The plan stopped before it could say what merging would change: a config has a problem, and each problem is an annotation on the changed file${run}. Fix it and push again; this comment is updated.`,
    );
    return finish(input, title, conclusion, s.toMarkdown());
  }
  if (!input.manifest) {
    s.paragraph(
      `This pull request changes no config: merging it would change nothing in Item Store V2 or S3${run}.`,
    );
    return finish(input, title, conclusion, s.toMarkdown());
  }
  const sections: { md: string; optional: boolean }[] = [];
  sections.push({ md: v2Section(input, run), optional: false });
  const diffs = diffSections(input);
  for (const d of diffs) sections.push({ md: d, optional: true });
  if (input.s3 !== undefined) {
    const { table, texts } = s3Section(input.s3);
    sections.push({ md: table, optional: false });
    for (const t of texts) sections.push({ md: t, optional: true });
  }
  // Cut optional sections (diffs, legacy texts) from the end until the comment fits.
  let body = s.toMarkdown() + '\n' + sections.map((x) => x.md).join('\n');
  if (body.length > COMMENT_LIMIT) {
    const kept: string[] = [];
    let size = s.toMarkdown().length + 200;
    let dropped = 0;
    for (const x of sections) {
      if (!x.optional || size + x.md.length < COMMENT_LIMIT) {
        kept.push(x.md);
        size += x.md.length + 1;
      } else dropped++;
    }
    kept.push(
      `_${plural(dropped, 'diff or text', 'diffs and texts')} left out to fit GitHub's comment limit: the run's summary has every one${run}._\n`,
    );
    body = s.toMarkdown() + '\n' + kept.join('\n');
  }
  return finish(input, title, conclusion, body);
}

function finish(
  input: RenderPlanInput,
  title: string,
  conclusion: PlanConclusion,
  body: string,
): PlanArtifact {
  return {
    version: PLAN_ARTIFACT_VERSION,
    pullRequest: input.pullRequest,
    headSha: input.headSha,
    title,
    conclusion,
    body,
  };
}

function v2Entries(manifest: ResolvedManifest): ResolvedManifest['entries'] {
  return manifest.entries.filter((e) => e.targets.includes('v2'));
}

function v2Section(input: RenderPlanInput, run: string): string {
  const s = new Summary();
  const manifest = input.manifest as ResolvedManifest;
  if (input.report) {
    const r = input.report;
    const c = r.counts;
    const changes = [
      c.created && `create ${plural(c.created, 'item')}`,
      c.updated && `update ${plural(c.updated, 'item')}`,
      c.deleted && `delete ${plural(c.deleted, 'item')}`,
    ].filter(Boolean);
    s.paragraph(
      `**Item Store V2 (${r.environment})**: merging would ${changes.length ? changes.join(', ') : 'leave every item as it is'}` +
        `${c.unchanged ? ` (${c.unchanged} already up to date)` : ''}${c.stale ? `, ${c.stale} stale (a newer commit is there)` : ''}` +
        `${c.failed ? `, **${c.failed} could not be planned**` : ''}. Nothing was written${run}.`,
    );
    const rows = r.entries
      .filter((e) => e.outcome !== 'unchanged')
      .map((e) => [
        codeCell(e.path),
        e.itemId ? codeCell(e.itemId) : '(new)',
        codeCell(formatTags(e.tags)),
        versionText(e),
        e.outcome === 'created'
          ? 'create'
          : e.outcome === 'updated'
            ? 'update'
            : e.outcome === 'deleted'
              ? 'delete'
              : `${e.outcome}${e.reason ? `: ${e.reason}` : ''}${e.error ? `: ${e.error}` : ''}`,
      ]);
    if (rows.length) s.table(['path', 'item', 'tags', 'version', 'change'], rows, { limit: 200 });
  } else {
    const v2 = v2Entries(manifest);
    s.paragraph(
      `**Item Store V2**: ${plural(v2.length, 'changed config is', 'changed configs are')} valid. V2 was not compared (this run has no ITEMSTORE_READ_TOKEN, as in a pull request from a fork), so the diffs below are the author's edits${run}.`,
    );
    if (v2.length) {
      s.table(
        ['path', 'tags', 'change'],
        v2.map((e) => [codeCell(e.path), codeCell(formatTags(e.tags)), e.action]),
        { limit: 200 },
      );
    }
  }
  return s.toMarkdown();
}

function versionText(e: DeployReport['entries'][number]): string {
  const before = e.before ? String(e.before.version) : '—';
  if (e.outcome === 'created' || e.outcome === 'updated' || e.outcome === 'deleted')
    return `${before} → ${(e.before?.version ?? 0) + 1}`;
  return before;
}

function diffSections(input: RenderPlanInput): string[] {
  const out: string[] = [];
  const clip = (d: string): string =>
    d.length > DIFF_CHARS ? `${d.slice(0, DIFF_CHARS)}\n… (cut at ${DIFF_CHARS} characters)` : d;
  if (input.report) {
    for (const e of input.report.entries) {
      if (!e.diff) continue;
      const verb = e.outcome === 'deleted' ? 'delete' : e.outcome === 'created' ? 'create' : 'update';
      out.push(new Summary().details(`${e.path}: ${verb}`, fence(clip(e.diff), 'diff')).toMarkdown());
    }
  } else {
    for (const [path, d] of input.gitDiffs ?? []) {
      if (d)
        out.push(new Summary().details(`${path}: the author's edit`, fence(clip(d), 'diff')).toMarkdown());
    }
  }
  return out;
}

function s3Section(s3: S3Preview | 'off'): { table: string; texts: string[] } {
  const s = new Summary();
  if (s3 === 'off') {
    s.paragraph('**S3**: sync is off (ITEMSTORE_S3_SYNC=off): merging changes Item Store V2 only.');
    return { table: s.toMarkdown(), texts: [] };
  }
  if (!s3.upserts.length && !s3.deletions.length) {
    s.paragraph(`**S3 (${s3.environment})**: no default/ config changed: merging writes nothing to S3.`);
    return { table: s.toMarkdown(), texts: [] };
  }
  s.paragraph(
    `**S3 (${s3.environment}), still production during the cutover**: after merging, SYNCAS3 writes ${plural(s3.upserts.length, 'object')}` +
      `${s3.deletions.length ? ` and deletes ${plural(s3.deletions.length, 'object')}` : ''} (an object whose bytes S3 already holds is left as it is).`,
  );
  s.table(
    ['key', 'bytes', 'from', 'change'],
    [
      ...s3.upserts.map((o) => [
        codeCell(`s3://${o.location.bucket}/${o.key}`),
        o.body.length,
        codeCell(o.path),
        o.format === 'legacy-multidoc' ? 'write (legacy DQ YAML)' : 'write',
      ]),
      ...s3.deletions.map((d) => [
        codeCell(`s3://${d.location.bucket}/${d.key}`),
        '—',
        codeCell(d.path),
        'delete',
      ]),
    ],
    { limit: 200 },
  );
  const texts = s3.upserts
    .filter((o) => o.format === 'legacy-multidoc')
    .map((o) => {
      const text = o.body.toString('utf8');
      const shown =
        text.length > LEGACY_CHARS
          ? `${text.slice(0, LEGACY_CHARS)}\n# … (cut at ${LEGACY_CHARS} characters)`
          : text;
      return new Summary()
        .details(`s3://${o.location.bucket}/${o.key}: the legacy DQ text`, fence(shown, 'yaml'))
        .toMarkdown();
    });
  return { table: s.toMarkdown(), texts };
}

function escapeTitle(t: string): string {
  return t.replace(/[<>]/g, '');
}
