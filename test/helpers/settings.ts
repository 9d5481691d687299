/**
 * item-store.yaml for tests: the one tenant `retail` (us-east-1, buckets per environment below one prefix) and the
 * teams a test names, so each package's tests state only what differs (bucket names, teams) instead of the file.
 */
export const TEAMS = {
  'data-router': 'data-router: { tenant: retail, namespace: data-router, format: config-list }',
  'data-quality': 'data-quality: { tenant: retail, namespace: data-quality, format: dq }',
  ffi2: 'ffi2: { tenant: retail, namespace: ffi2 }',
  emr: 'emr: { tenant: retail, namespace: emr-jobs }',
} as const;

export type Team = keyof typeof TEAMS;

export interface SettingsOptions {
  /** The bucket of each environment (dev, qa, prod). */
  buckets: { dev: string; qa: string; prod: string };
  /** The key prefix of every bucket (default item-store/). */
  prefix?: string;
  /** Teams, in this order (default: data-router, data-quality, ffi2). */
  teams?: readonly Team[];
  /** Further lines below `teams:` (each indented by two spaces and ending with a newline). */
  extraTeams?: string;
}

export function settingsYaml(options: SettingsOptions): string {
  const { buckets, prefix = 'item-store/', teams = ['data-router', 'data-quality', 'ffi2'] } = options;
  const s3 = (['dev', 'qa', 'prod'] as const).map(
    (env) => `      ${env}: { bucket: ${buckets[env]}, prefix: ${prefix} }\n`,
  );
  return (
    'version: 1\nmainBranch: main\nenvironments: [dev, qa, prod]\ns3OnlySuffixes: [_SC]\n' +
    `tenants:\n  retail:\n    region: us-east-1\n    s3:\n${s3.join('')}` +
    `teams:\n${teams.map((t) => `  ${TEAMS[t]}\n`).join('')}${options.extraTeams ?? ''}`
  );
}

/** Buckets named `<name>-dev`, `<name>-qa`, `<name>-prod`. */
export function bucketsNamed(name: string): { dev: string; qa: string; prod: string } {
  return { dev: `${name}-dev`, qa: `${name}-qa`, prod: `${name}-prod` };
}
