#!/usr/bin/env node
import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
var __defProp = Object.defineProperty;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __esm = (fn, res, err) => function __init() {
  if (err) throw err[0];
  try {
    return fn && (res = (0, fn[__getOwnPropNames(fn)[0]])(fn = 0)), res;
  } catch (e) {
    throw err = [e], e;
  }
};
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};

// packages/core/src/errors.ts
function formatLocation(loc) {
  if (!loc.file) return "";
  let s = loc.file;
  if (loc.line !== void 0) {
    s += `:${loc.line}`;
    if (loc.column !== void 0) s += `:${loc.column}`;
  }
  return `${s}: `;
}
var ConfigError, UsageError, ConfigErrors;
var init_errors = __esm({
  "packages/core/src/errors.ts"() {
    "use strict";
    ConfigError = class _ConfigError extends Error {
      name = "ConfigError";
      file;
      line;
      column;
      endLine;
      endColumn;
      /** A stable, short machine-readable reason, e.g. `yaml-syntax`, `identity-conflict`. */
      code;
      severity;
      constructor(code, message, location, options) {
        super(message, options?.cause === void 0 ? void 0 : { cause: options.cause });
        this.code = code;
        this.file = location?.file;
        this.line = location?.line;
        this.column = location?.column;
        this.endLine = location?.endLine;
        this.endColumn = location?.endColumn;
        this.severity = options?.severity ?? "error";
      }
      /** `file:line:column: message`, the form compilers use, so editors and terminals can jump to it. */
      toString() {
        return `${formatLocation(this)}${this.message}`;
      }
      toJSON() {
        return {
          code: this.code,
          message: this.message,
          severity: this.severity,
          ...this.file === void 0 ? {} : { file: this.file },
          ...this.line === void 0 ? {} : { line: this.line },
          ...this.column === void 0 ? {} : { column: this.column }
        };
      }
      static fromJSON(json) {
        return new _ConfigError(
          json.code,
          json.message,
          { file: json.file, line: json.line, column: json.column },
          { severity: json.severity }
        );
      }
      /** The same problem at another place (e.g. a parser error re-anchored to a file). */
      withLocation(location) {
        return new _ConfigError(
          this.code,
          this.message,
          {
            file: location.file ?? this.file,
            line: location.line ?? this.line,
            column: location.column ?? this.column
          },
          { severity: this.severity, cause: this.cause }
        );
      }
    };
    UsageError = class extends Error {
      name = "UsageError";
    };
    ConfigErrors = class extends Error {
      constructor(errors) {
        super(
          errors.length === 1 ? errors[0].toString() : `${errors.length} problems found; the first is ${errors[0].toString()}`
        );
        this.errors = errors;
      }
      errors;
      name = "ConfigErrors";
    };
  }
});

// packages/core/src/logger.ts
var init_logger = __esm({
  "packages/core/src/logger.ts"() {
    "use strict";
  }
});

// packages/core/src/annotations.ts
var init_annotations = __esm({
  "packages/core/src/annotations.ts"() {
    "use strict";
    init_errors();
  }
});

// packages/core/src/summary.ts
var init_summary = __esm({
  "packages/core/src/summary.ts"() {
    "use strict";
  }
});

// packages/core/src/hash.ts
var init_hash = __esm({
  "packages/core/src/hash.ts"() {
    "use strict";
  }
});

// packages/core/src/manifest.ts
var init_manifest = __esm({
  "packages/core/src/manifest.ts"() {
    "use strict";
  }
});

// packages/core/src/index.ts
var init_src = __esm({
  "packages/core/src/index.ts"() {
    "use strict";
    init_errors();
    init_logger();
    init_annotations();
    init_summary();
    init_hash();
    init_manifest();
  }
});

// packages/cli/src/commands/convert.ts
var convert_exports = {};
__export(convert_exports, {
  convertCommand: () => convertCommand
});
async function convertCommand(_argv) {
  throw new UsageError("itemstore convert is not built yet.");
}
var init_convert = __esm({
  "packages/cli/src/commands/convert.ts"() {
    "use strict";
    init_src();
  }
});

// packages/cli/src/commands/resolve.ts
var resolve_exports = {};
__export(resolve_exports, {
  resolveCommand: () => resolveCommand
});
async function resolveCommand(_argv) {
  throw new UsageError("itemstore resolve is not built yet.");
}
var init_resolve = __esm({
  "packages/cli/src/commands/resolve.ts"() {
    "use strict";
    init_src();
  }
});

// packages/cli/src/commands/detect.ts
var detect_exports = {};
__export(detect_exports, {
  detectCommand: () => detectCommand
});
async function detectCommand(_argv) {
  throw new UsageError("itemstore detect is not built yet.");
}
var init_detect = __esm({
  "packages/cli/src/commands/detect.ts"() {
    "use strict";
    init_src();
  }
});

// packages/cli/src/commands/serve.ts
var serve_exports = {};
__export(serve_exports, {
  serveCommand: () => serveCommand
});
async function serveCommand(_argv) {
  throw new UsageError("itemstore serve is not built yet.");
}
var init_serve = __esm({
  "packages/cli/src/commands/serve.ts"() {
    "use strict";
    init_src();
  }
});

// packages/cli/src/commands/deploy.ts
var deploy_exports = {};
__export(deploy_exports, {
  deployCommand: () => deployCommand
});
async function deployCommand(_argv) {
  throw new UsageError("itemstore deploy is not built yet.");
}
var init_deploy = __esm({
  "packages/cli/src/commands/deploy.ts"() {
    "use strict";
    init_src();
  }
});

// packages/cli/src/commands/sync-s3.ts
var sync_s3_exports = {};
__export(sync_s3_exports, {
  syncS3Command: () => syncS3Command
});
async function syncS3Command(_argv) {
  throw new UsageError("itemstore sync-s3 is not built yet.");
}
var init_sync_s3 = __esm({
  "packages/cli/src/commands/sync-s3.ts"() {
    "use strict";
    init_src();
  }
});

// packages/cli/src/main.ts
init_src();

// packages/cli/src/io.ts
init_src();
function stderr(line) {
  process.stderr.write(line.endsWith("\n") ? line : line + "\n");
}

// packages/cli/src/main.ts
var commands = {
  convert: {
    summary: "convert to-v2|to-config-list|to-legacy|from-legacy <file> [-o OUT]",
    load: async () => (await Promise.resolve().then(() => (init_convert(), convert_exports))).convertCommand
  },
  resolve: {
    summary: "resolve [--repo DIR] [--branch B] [--json] [paths...]   team, namespace, tags, targets, S3 key",
    load: async () => (await Promise.resolve().then(() => (init_resolve(), resolve_exports))).resolveCommand
  },
  detect: {
    summary: "detect [--repo DIR] [--base SHA] [--head SHA] [--json]   what changed between two commits",
    load: async () => (await Promise.resolve().then(() => (init_detect(), detect_exports))).detectCommand
  },
  serve: {
    summary: "serve --port N --data DIR --token T [--latency MS] [--fail-rate 0..1]   the reference V2 server",
    load: async () => (await Promise.resolve().then(() => (init_serve(), serve_exports))).serveCommand
  },
  deploy: {
    summary: "deploy --url URL [--token T] [--repo DIR] [--dry-run] ...   write configs to Item Store V2",
    load: async () => (await Promise.resolve().then(() => (init_deploy(), deploy_exports))).deployCommand
  },
  "sync-s3": {
    summary: "sync-s3 --bucket B [--endpoint URL] [--full] [--dry-run] ...   write default/ configs to S3",
    load: async () => (await Promise.resolve().then(() => (init_sync_s3(), sync_s3_exports))).syncS3Command
  }
};
function usage() {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  return [
    "Usage: itemstore <command> [options]",
    "",
    "Commands:",
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    "Run `itemstore <command> --help` for a command's options."
  ].join("\n");
}
async function main(argv) {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage() + "\n");
    return name ? 0 : 2;
  }
  const entry = commands[name];
  if (!entry) {
    stderr(`itemstore: unknown command "${name}".

${usage()}`);
    return 2;
  }
  try {
    return await (await entry.load())(rest);
  } catch (err) {
    return reportError(err);
  }
}
function reportError(err) {
  if (err instanceof ConfigErrors) {
    for (const e2 of err.errors) stderr(`error: ${e2.toString()}`);
    stderr(`${err.errors.length} problem${err.errors.length === 1 ? "" : "s"} found.`);
    return 1;
  }
  if (err instanceof ConfigError) {
    stderr(`error: ${err.toString()}`);
    return 1;
  }
  if (err instanceof UsageError) {
    stderr(`itemstore: ${err.message}`);
    return 2;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  stderr(`itemstore: unexpected failure (a bug): ${process.env.ITEMSTORE_DEBUG ? e.stack : e.message}`);
  return 70;
}

// packages/cli/src/bin.ts
process.exitCode = await main(process.argv.slice(2));
