import { describe, expect, test } from '@jest/globals';
import { md5Hex } from '@itemstore/core';
import {
  countPlan,
  dryRunResult,
  syncReport,
  isMultipartEtag,
  normalizeEtag,
  objectRef,
  objectsToVerifyByContent,
  planSync,
  type DesiredObject,
  type Listing,
} from '../src/index.js';
import type { S3Location } from '@itemstore/config';

const loc: S3Location = { bucket: 'b', prefix: 'p/', region: 'us-east-1' };

function desired(key: string, text: string): DesiredObject {
  const body = Buffer.from(text);
  return {
    location: loc,
    key,
    path: `team/default/${key}`,
    body,
    md5: md5Hex(body),
    contentType: 'application/yaml',
    format: 'bytes',
  };
}

function listing(objects: Record<string, { etag: string; size?: number }>, location = loc): Listing {
  return {
    location,
    objects: new Map(
      Object.entries(objects).map(([key, o]) => [key, { key, etag: o.etag, size: o.size ?? 1 }]),
    ),
  };
}

describe('planSync', () => {
  test('new, unchanged and changed objects are told apart by MD5 against the ETag', () => {
    const plan = planSync({
      desired: [desired('p/a.yaml', 'a'), desired('p/b.yaml', 'b'), desired('p/c.yaml', 'c')],
      deletions: [],
      listings: [listing({ 'p/b.yaml': { etag: md5Hex('b') }, 'p/c.yaml': { etag: md5Hex('old') } })],
      deletionsMode: 'apply',
      full: false,
    });
    expect(plan.items.map((i) => [i.key, i.action, i.reason])).toEqual([
      ['p/a.yaml', 'upload', 'new'],
      ['p/b.yaml', 'unchanged', 'MD5 equals ETag'],
      ['p/c.yaml', 'upload', 'content differs (MD5 ≠ ETag)'],
    ]);
    expect(countPlan(plan)).toEqual({ upload: 2, unchanged: 1, delete: 0, keep: 0 });
  });

  test('items, applied items and report objects keep their keys and key order (the JSON report is unchanged)', () => {
    const same = desired('p/same.yaml', 'a: 1\n');
    const plan = planSync({
      desired: [desired('p/new.yaml', 'n: 1\n'), same, desired('p/changed.yaml', 'c: 2\n')],
      deletions: [],
      listings: [
        listing({ 'p/same.yaml': { etag: same.md5 }, 'p/changed.yaml': { etag: md5Hex('c: 1\n') } }),
      ],
      deletionsMode: 'skip',
      full: false,
    });
    const base = ['bucket', 'region', 'key', 'path', 'md5', 'bytes', 'action', 'reason'];
    const byKey = new Map(plan.items.map((i) => [i.key, i]));
    expect(Object.keys(byKey.get('p/new.yaml')!)).toEqual([...base, 'body', 'contentType']);
    expect(Object.keys(byKey.get('p/same.yaml')!)).toEqual([...base, 'remoteEtag']);
    expect(Object.keys(byKey.get('p/changed.yaml')!)).toEqual([...base, 'remoteEtag', 'body', 'contentType']);
    const applied = dryRunResult(plan).items;
    expect(applied.map((i) => Object.keys(i))).toEqual(
      plan.items.map((i) => [...Object.keys(i).filter((k) => k !== 'body'), 'status']),
    );
    const report = syncReport({
      mode: 'manifest',
      environment: 'dev',
      dryRun: true,
      deletions: 'skip',
      items: applied,
    });
    expect(JSON.parse(JSON.stringify(report.objects))).toEqual(
      applied.map((i) => JSON.parse(JSON.stringify({ ...i, contentType: undefined }))),
    );
    expect(report.objects.map((o) => Object.keys(o))).toEqual(
      applied.map((i) => Object.keys(i).filter((k) => k !== 'contentType')),
    );
  });

  test('a multipart ETag is never compared with an MD5: the hashed stored bytes decide', () => {
    const input = {
      desired: [desired('p/big.yaml', 'same'), desired('p/other.yaml', 'new')],
      deletions: [],
      listings: [listing({ 'p/big.yaml': { etag: 'abcdef-2' }, 'p/other.yaml': { etag: '0123-3' } })],
      deletionsMode: 'apply' as const,
      full: false,
    };
    expect(objectsToVerifyByContent(input.desired, input.listings).map((o) => o.key)).toEqual([
      'p/big.yaml',
      'p/other.yaml',
    ]);
    expect(() => planSync(input)).toThrow(/not hashed/);
    const plan = planSync({
      ...input,
      remoteMd5: new Map([
        [objectRef('b', 'p/big.yaml'), md5Hex('same')],
        [objectRef('b', 'p/other.yaml'), md5Hex('old')],
      ]),
    });
    expect(plan.items.map((i) => i.action)).toEqual(['unchanged', 'upload']);
    expect(plan.items[0]!.reason).toContain('multipart');
  });

  test('deletions touch only keys deleted in git that exist, and never a key a config still maps to', () => {
    const plan = planSync({
      desired: [desired('p/moved.yaml', 'x')],
      deletions: [
        { location: loc, key: 'p/gone.yaml', path: 'team/default/gone.yaml' },
        { location: loc, key: 'p/never-synced.yaml', path: 'team/default/never-synced.yaml' },
        { location: loc, key: 'p/moved.yaml', path: 'team/default/moved.yaml' },
      ],
      listings: [
        listing({
          'p/gone.yaml': { etag: 'e1', size: 7 },
          'p/moved.yaml': { etag: md5Hex('x') },
          'p/foreign.yaml': { etag: 'e3' },
        }),
      ],
      deletionsMode: 'apply',
      full: false,
    });
    expect(plan.items.map((i) => [i.key, i.action])).toEqual([
      ['p/gone.yaml', 'delete'],
      ['p/moved.yaml', 'unchanged'],
      ['p/never-synced.yaml', 'unchanged'],
    ]);
    expect(plan.items[0]!.bytes).toBe(7);
  });

  test('full: foreign keys are kept unless deletions is apply; keys wanted by another prefix are safe', () => {
    const inner: S3Location = { bucket: 'b', prefix: 'p/nested/', region: 'us-east-1' };
    const input = {
      desired: [{ ...desired('p/nested/x.yaml', 'x'), location: inner }],
      deletions: [],
      listings: [listing({ 'p/nested/x.yaml': { etag: md5Hex('x') }, 'p/stray.yaml': { etag: 'e' } })],
      full: true,
    };
    const keep = planSync({ ...input, deletionsMode: 'skip' });
    expect(keep.items.map((i) => [i.key, i.action])).toEqual([
      ['p/nested/x.yaml', 'upload'],
      ['p/stray.yaml', 'keep'],
    ]);
    const apply = planSync({ ...input, deletionsMode: 'apply' });
    expect(apply.items.map((i) => [i.key, i.action])).toEqual([
      ['p/nested/x.yaml', 'upload'],
      ['p/stray.yaml', 'delete'],
    ]);
  });

  test('ETags are normalised (quotes, weak prefix, case) and multipart ones recognised', () => {
    expect(normalizeEtag('"ABCdef"')).toBe('abcdef');
    expect(normalizeEtag('W/"abc"')).toBe('abc');
    expect(isMultipartEtag('9b2cf535f27731c974343645a3985328-12')).toBe(true);
    expect(isMultipartEtag('9b2cf535f27731c974343645a3985328')).toBe(false);
  });
});
