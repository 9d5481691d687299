// Types of bench/lib/synthetic-repo.mjs for TypeScript callers (test/bench).
export type TeamFormat = 'plain' | 'config-list' | 'dq';

export interface GeneratedTeam {
  name: string;
  format: TeamFormat;
  tenant: string;
  namespace: string;
}

export interface GeneratedConfig {
  path: string;
  team: string;
  format: TeamFormat;
  bytes: number;
  /** Under <team>/default/ (also goes to S3). */
  isDefault: boolean;
  /** Name ends with _SC: S3 only. */
  s3Only: boolean;
}

export interface GenerateOptions {
  dir: string;
  /** Default 10,000. */
  configs?: number;
  /** Default 1. */
  seed?: number;
  /** Default 20. */
  teams?: number;
  /** Configs the third commit edits: default min(1000, configs / 10). */
  manyChanges?: number;
  /** Repack into one packfile at the end. */
  pack?: boolean;
}

export interface GeneratedRepo {
  dir: string;
  base: string;
  oneFile: string;
  thousandFiles: string;
  shas: { base: string; oneFile: string; thousandFiles: string };
  oneFilePath: string;
  thousandFilePaths: string[];
  configs: GeneratedConfig[];
  teams: GeneratedTeam[];
  totalBytes: number;
  seconds: number;
}

export const DEFAULT_CONFIGS: number;
export const DEFAULT_SEED: number;
export const MIN_CONFIG_BYTES: number;
export const MAX_CONFIG_BYTES: number;
export const TEAM_CATALOG: readonly { name: string; format: TeamFormat; tenant: string }[];
export const TENANTS: Record<string, { region: string; prefix: string }>;
export const ENVIRONMENTS: readonly string[];

export function generateRepo(options: GenerateOptions): Promise<GeneratedRepo>;
