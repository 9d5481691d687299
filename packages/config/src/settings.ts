/**
 * item-store.yaml: the repository settings (SPEC §2). Validated against schemas/item-store.schema.json, then
 * cross-checked (a team's tenant exists, every tenant has an S3 location for every environment, ...).
 */
import {
  ConfigError,
  ConfigErrors,
  LIMITS,
  formatBytes,
  isReservedName,
  type RepoTree,
} from '@itemstore/core';
import { fastRepoYamlValue, type ConfigFormat } from '@itemstore/convert';
import { isScalar } from 'yaml';
import settingsSchema from '../../../schemas/item-store.schema.json' with { type: 'json' };
import { validateAgainstSchema } from './schema-errors.js';
import validateSettings from './generated/settings-validator.js';
import { decodeRepoText, errorAt, nodeAtPath, parseYamlSource, type YamlSource } from './yaml-source.js';

export const SETTINGS_FILE = 'item-store.yaml';
export const DEFAULT_MAX_CONFIG_BYTES: number = LIMITS.configBytesDefault;

export interface TeamSettings {
  tenant: string;
  namespace: string;
  format: ConfigFormat;
  s3Format?: 'bytes' | 'legacy-multidoc';
}

export interface S3Location {
  bucket: string;
  prefix: string;
  region: string;
}

export interface TenantSettings {
  region: string;
  s3: Record<string, { bucket: string; prefix: string; region?: string }>;
}

export interface Settings {
  version: 1;
  mainBranch: string;
  environments: string[];
  s3OnlySuffixes: string[];
  tenants: Record<string, TenantSettings>;
  teams: Record<string, TeamSettings>;
  maxConfigBytes?: number;
}

/** The JSON Schema of item-store.yaml (also published as schemas/item-store.schema.json). */
export const settingsJsonSchema: object = settingsSchema;

/**
 * Parses and validates item-store.yaml. Throws ConfigErrors (every problem found, each located at the offending
 * key or value, its message starting with the key path) when the file is not usable.
 */
export function parseSettings(text: string, file: string = SETTINGS_FILE): Settings {
  // Value first: js-yaml's value, when fast-yaml.ts can prove it is what the Document below gives, passing every
  // check. Anything else (a bail, a schema, reserved-name or cross-check problem) runs the Document path, which
  // finds and locates every problem exactly as before. Detect and resolve-tags read this file on every push.
  const fast = validSettings(fastRepoYamlValue(text));
  return fast ?? parseSettingsDocument(text, file);
}

/** The settings when the value is valid in every respect, else undefined (the Document path says why). */
function validSettings(data: unknown): Settings | undefined {
  if (data === undefined || !validateSettings(data)) return undefined;
  if (reservedNames(data as RawSettings).length) return undefined;
  const settings = withDefaults(data as RawSettings);
  return crossCheck(settings).length ? undefined : settings;
}

/** parseSettings through the `yaml` Document, with a located error for every problem. Exported for tests. */
export function parseSettingsDocument(text: string, file: string = SETTINGS_FILE): Settings {
  const { source, errors } = parseYamlSource(text, file);
  if (errors.length) throw new ConfigErrors(errors);
  if (source.doc.contents === null || (isScalar(source.doc.contents) && source.doc.contents.value === null)) {
    throw new ConfigErrors([
      new ConfigError(
        'settings-invalid',
        `${file} is empty; it needs at least version, environments, tenants and teams`,
        {
          file,
          line: 1,
          column: 1,
        },
      ),
    ]);
  }
  let data: unknown;
  try {
    data = source.doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new ConfigErrors([
      new ConfigError('yaml-syntax', `cannot read ${file}: ${(err as Error).message}`, {
        file,
        line: 1,
        column: 1,
      }),
    ]);
  }
  const schemaErrors = validateAgainstSchema(validateSettings, data, source, 'settings-invalid');
  if (schemaErrors.length) throw new ConfigErrors(schemaErrors);
  const reserved = reservedNames(data as RawSettings, source);
  if (reserved.length) throw new ConfigErrors(reserved);
  const settings = withDefaults(data as RawSettings);
  const crossErrors = crossCheck(settings, source);
  if (crossErrors.length) throw new ConfigErrors(crossErrors);
  return settings;
}

/** Reads item-store.yaml at the root of a tree (working tree or commit). */
export async function loadSettings(tree: RepoTree): Promise<Settings> {
  const bytes = await tree.read(SETTINGS_FILE);
  if (bytes === undefined) {
    throw new ConfigErrors([
      new ConfigError(
        'settings-missing',
        `${SETTINGS_FILE} was not found at the root of the config repo (${tree.label}); every config repo needs one (see SPEC §2)`,
        { file: SETTINGS_FILE },
      ),
    ]);
  }
  if (bytes.length > LIMITS.settingsFileBytes) {
    throw new ConfigErrors([
      new ConfigError(
        'file-too-large',
        `${SETTINGS_FILE} is ${formatBytes(bytes.length)}, over the ${formatBytes(LIMITS.settingsFileBytes)} limit for it`,
        { file: SETTINGS_FILE, line: 1, column: 1 },
      ),
    ]);
  }
  const text = decodeRepoText(bytes, SETTINGS_FILE);
  if (text instanceof ConfigError) throw new ConfigErrors([text]);
  // resolve-tags reads item-store.yaml at the head and at the base, mostly the same bytes: parse them once. Settings
  // are never changed after parsing, so the same object serves both.
  if (lastParsed?.text === text) return lastParsed.settings;
  const settings = parseSettings(text, SETTINGS_FILE);
  lastParsed = { text, settings };
  return settings;
}

let lastParsed: { text: string; settings: Settings } | undefined;

/** The S3 location of a tenant's environment. Throws a ConfigError (located at item-store.yaml) when there is none. */
export function s3Location(settings: Settings, tenant: string, environment: string): S3Location {
  const t = Object.hasOwn(settings.tenants, tenant) ? settings.tenants[tenant] : undefined;
  if (!t) {
    throw new ConfigError(
      'unknown-tenant',
      `tenant "${tenant}" is not defined under tenants in ${SETTINGS_FILE}`,
      {
        file: SETTINGS_FILE,
      },
    );
  }
  const loc = Object.hasOwn(t.s3, environment) ? t.s3[environment] : undefined;
  if (!loc) {
    throw new ConfigError(
      's3-not-configured',
      `tenant "${tenant}" has no S3 location for environment "${environment}" (tenants.${tenant}.s3.${environment} in ${SETTINGS_FILE})`,
      { file: SETTINGS_FILE },
    );
  }
  return { bucket: loc.bucket, prefix: loc.prefix, region: loc.region ?? t.region };
}

export function isMainBranch(settings: Settings, branch: string | undefined): boolean {
  return branch === undefined || branch === settings.mainBranch;
}

interface RawSettings {
  version: 1;
  mainBranch?: string;
  environments: string[];
  s3OnlySuffixes?: string[];
  maxConfigBytes?: number;
  tenants: Record<string, TenantSettings>;
  teams: Record<
    string,
    { tenant: string; namespace: string; format?: ConfigFormat; s3Format?: 'bytes' | 'legacy-multidoc' }
  >;
}

function withDefaults(raw: RawSettings): Settings {
  const teams: Record<string, TeamSettings> = {};
  for (const [name, t] of Object.entries(raw.teams)) {
    teams[name] = {
      tenant: t.tenant,
      namespace: t.namespace,
      format: t.format ?? 'plain',
      ...(t.s3Format === undefined ? {} : { s3Format: t.s3Format }),
    };
  }
  const tenants: Record<string, TenantSettings> = {};
  for (const [name, t] of Object.entries(raw.tenants)) {
    const s3: TenantSettings['s3'] = {};
    for (const [env, loc] of Object.entries(t.s3)) {
      s3[env] = {
        bucket: loc.bucket,
        prefix: loc.prefix,
        ...(loc.region === undefined ? {} : { region: loc.region }),
      };
    }
    tenants[name] = { region: t.region, s3 };
  }
  return {
    version: 1,
    mainBranch: raw.mainBranch ?? 'main',
    environments: [...raw.environments],
    s3OnlySuffixes: [...(raw.s3OnlySuffixes ?? [])],
    tenants,
    teams,
    ...(raw.maxConfigBytes === undefined ? {} : { maxConfigBytes: raw.maxConfigBytes }),
  };
}

/** A problem at a key path: located in the Document when there is one (the value-first path only counts them). */
function problemAt(
  src: YamlSource | undefined,
  path: (string | number)[],
  want: 'key' | 'value',
  code: string,
  message: string,
): ConfigError {
  return src
    ? errorAt(src, nodeAtPath(src.doc, path, want), code, message)
    : new ConfigError(code, message, { file: SETTINGS_FILE });
}

function crossCheck(settings: Settings, src?: YamlSource): ConfigError[] {
  const errors: ConfigError[] = [];
  const tenantNames = Object.keys(settings.tenants);
  for (const [team, t] of Object.entries(settings.teams)) {
    if (!Object.hasOwn(settings.tenants, t.tenant)) {
      errors.push(
        problemAt(
          src,
          ['teams', team, 'tenant'],
          'value',
          'unknown-tenant',
          `teams.${team}.tenant: tenant "${t.tenant}" is not defined under tenants (defined: ${tenantNames.join(', ')})`,
        ),
      );
    }
    if (t.format === 'dq' && t.s3Format === 'bytes') {
      errors.push(
        problemAt(
          src,
          ['teams', team, 's3Format'],
          'value',
          'settings-invalid',
          `teams.${team}.s3Format: format dq always stores the legacy multi-document YAML in S3; remove s3Format or set it to legacy-multidoc`,
        ),
      );
    }
    if (t.format === 'plain' && t.s3Format === 'legacy-multidoc') {
      errors.push(
        problemAt(
          src,
          ['teams', team, 's3Format'],
          'value',
          'settings-invalid',
          `teams.${team}.s3Format: legacy-multidoc writes one document per config_list entry, so it needs format config-list or dq (this team's format is plain)`,
        ),
      );
    }
  }
  for (const [tenant, t] of Object.entries(settings.tenants)) {
    for (const env of Object.keys(t.s3)) {
      if (!settings.environments.includes(env)) {
        errors.push(
          problemAt(
            src,
            ['tenants', tenant, 's3', env],
            'key',
            'unknown-environment',
            `tenants.${tenant}.s3.${env}: "${env}" is not one of the environments (${settings.environments.join(', ')})`,
          ),
        );
      }
    }
    const missing = settings.environments.filter((env) => !Object.hasOwn(t.s3, env));
    if (missing.length) {
      errors.push(
        problemAt(
          src,
          ['tenants', tenant, 's3'],
          'key',
          's3-missing-environment',
          `tenants.${tenant}.s3: no S3 location for environment${missing.length > 1 ? 's' : ''} ${missing.join(', ')}; every tenant needs one for each of ${settings.environments.join(', ')}`,
        ),
      );
    }
  }
  return errors;
}

/**
 * Tenant, team and environment names become lookup keys everywhere (and tenant names are referred to by teams):
 * a name that is a built-in property of JavaScript objects (`constructor`, `toString`, `__proto__`, ...) is refused
 * here, at the key or value that holds it, before anything builds a lookup from it.
 */
function reservedNames(raw: RawSettings, src?: YamlSource): ConfigError[] {
  const errors: ConfigError[] = [];
  const refuse = (path: (string | number)[], want: 'key' | 'value', what: string, name: string): void => {
    errors.push(
      problemAt(
        src,
        path,
        want,
        'reserved-name',
        `${path.join('.')}: "${name}" cannot be ${what}: it is a reserved name (a built-in property of JavaScript objects); choose another`,
      ),
    );
  };
  raw.environments.forEach((env, i) => {
    if (isReservedName(env)) refuse(['environments', i], 'value', 'an environment name', env);
  });
  for (const name of Object.keys(raw.tenants)) {
    if (isReservedName(name)) refuse(['tenants', name], 'key', 'a tenant name', name);
    const s3 = raw.tenants[name]?.s3 ?? {};
    for (const env of Object.keys(s3)) {
      if (isReservedName(env)) refuse(['tenants', name, 's3', env], 'key', 'an environment name', env);
    }
  }
  for (const name of Object.keys(raw.teams)) {
    if (isReservedName(name)) refuse(['teams', name], 'key', 'a team name', name);
    const tenant = raw.teams[name]?.tenant;
    if (tenant !== undefined && isReservedName(tenant))
      refuse(['teams', name, 'tenant'], 'value', 'a tenant name', tenant);
  }
  return errors;
}
