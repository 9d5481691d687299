/** The environment gate's rules, one refusal sentence each (SPEC §3). */
import { describe, expect, test } from '@jest/globals';
import {
  gateBranchCleanup,
  gateDeployEnvironment,
  gatePromotionStep,
  knownEnvironment,
  parseSettings,
  previousEnvironment,
  promotionRefusal,
  s3SkippedNote,
  s3SyncSwitch,
} from '@itemstore/config';

const settings = parseSettings(`version: 1
environments: [dev, qa, prod]
tenants:
  t:
    region: us-east-1
    s3:
      dev: { bucket: b-dev, prefix: p/ }
      qa: { bucket: b-qa, prefix: p/ }
      prod: { bucket: b-prod, prefix: p/ }
teams:
  ffi2: { tenant: t, namespace: ffi2 }
`);

describe('the environment gate', () => {
  test('branch cleanup: a feature branch by its exact name; empty and the main branch refused', () => {
    expect(gateBranchCleanup(settings, 'feature/a')).toBe('feature/a');
    expect(gateBranchCleanup(settings, 'refs/heads/Feature/A')).toBe('Feature/A');
    expect(() => gateBranchCleanup(settings, '')).toThrow(
      'cleanup-branch needs the name of a deleted feature branch; an empty name would match no branch item and is refused.',
    );
    expect(() => gateBranchCleanup(settings, '  ')).toThrow('needs the name of a deleted feature branch');
    expect(() => gateBranchCleanup(settings, 'main')).toThrow(
      'cleanup-branch never touches main, the main branch of item-store.yaml: it removes only the items of a deleted feature branch (tag branch=<name>).',
    );
    expect(() => gateBranchCleanup(settings, 'refs/heads/main')).toThrow('never touches main');
    expect(gateDeployEnvironment(settings, undefined, 'cleanup-branch')).toBe('dev');
  });

  test('deploy writes only the first environment; qa and prod only by promotion; unknown refused', () => {
    expect(gateDeployEnvironment(settings, undefined)).toBe('dev');
    expect(gateDeployEnvironment(settings, '')).toBe('dev');
    expect(gateDeployEnvironment(settings, 'dev')).toBe('dev');
    expect(() => gateDeployEnvironment(settings, 'qa')).toThrow(
      'deploy writes only dev, the first environment of item-store.yaml; qa and prod change only by promotion: run promote (from dev to qa).',
    );
    expect(() => gateDeployEnvironment(settings, 'prod', 'sync-s3')).toThrow(
      'sync-s3 writes only dev, the first environment of item-store.yaml; qa and prod change only by promotion: run promote (from qa to prod).',
    );
    expect(() => gateDeployEnvironment(settings, 'stage')).toThrow(
      'The environment "stage" is not one of the environments in item-store.yaml (dev, qa, prod); an unknown environment is never written.',
    );
    expect(() => knownEnvironment(settings, 'Prod')).toThrow(/"Prod" is not one of the environments/);
  });

  test('promotion: one step at a time, between known environments, main items only', () => {
    expect(() => gatePromotionStep(settings, 'dev', 'qa')).not.toThrow();
    expect(() => gatePromotionStep(settings, 'qa', 'prod')).not.toThrow();
    expect(() => gatePromotionStep(settings, 'dev', 'prod')).toThrow(
      "Promotion goes one step at a time in item-store.yaml's order (dev → qa → prod): from dev the next environment is qa, not prod.",
    );
    expect(() => gatePromotionStep(settings, 'prod', 'qa')).toThrow(
      'prod is the last environment (dev → qa → prod); there is nothing to promote it to.',
    );
    expect(() => gatePromotionStep(settings, 'qa', 'dev')).toThrow(
      /from qa the next environment is prod, not dev/,
    );
    expect(() => gatePromotionStep(settings, 'dev', 'stage')).toThrow(
      'The "to" environment "stage" is not one of the environments',
    );
    expect(previousEnvironment(settings, 'prod')).toBe('qa');
    expect(() => previousEnvironment(settings, 'dev')).toThrow(
      'dev is the first environment of item-store.yaml: it is written by deploys of main, not by promotion.',
    );
    expect(promotionRefusal({ tags: { name: 'a' }, version: 3 }, 'dev')).toBeUndefined();
    expect(promotionRefusal(undefined, 'dev')).toBe('no version in dev (deploy main first)');
    expect(promotionRefusal({ tags: { name: 'a', branch: 'feature/x' }, version: 1 }, 'dev')).toBe(
      "a feature branch's item (branch=feature/x) is never promoted; only main's versions are",
    );
  });

  test('the S3 switch: either off is off; unset is on', () => {
    expect(s3SyncSwitch(undefined, {})).toEqual({ on: true, why: 'default (ITEMSTORE_S3_SYNC not set)' });
    expect(s3SyncSwitch('', { ITEMSTORE_S3_SYNC: 'OFF' })).toEqual({
      on: false,
      why: 'ITEMSTORE_S3_SYNC=off',
    });
    expect(s3SyncSwitch('on', { ITEMSTORE_S3_SYNC: 'off' }).on).toBe(false);
    expect(s3SyncSwitch('off', { ITEMSTORE_S3_SYNC: 'on' })).toEqual({ on: false, why: 's3-sync: off' });
    expect(() => s3SyncSwitch(undefined, { ITEMSTORE_S3_SYNC: 'maybe' })).toThrow(
      'ITEMSTORE_S3_SYNC must be on or off, got "maybe".',
    );
    expect(s3SkippedNote({ on: false, why: 'ITEMSTORE_S3_SYNC=off' }, 3)).toBe(
      'S3 sync is off (ITEMSTORE_S3_SYNC=off): 3 S3 write(s) skipped, nothing written to S3.',
    );
  });
});
