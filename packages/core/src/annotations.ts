import { sortErrors, type ConfigError } from './errors.js';

/** GitHub shows at most this many annotations of each severity per step; the rest belong in the job summary. */
export const ANNOTATION_LIMIT_PER_SEVERITY = 10;

export interface Annotation {
  severity: 'error' | 'warning';
  message: string;
  title?: string;
  file?: string;
  startLine?: number;
  startColumn?: number;
}

export interface AnnotationPlan {
  /** What to emit as annotations (at most the limit of each severity). */
  annotations: Annotation[];
  /** What did not fit: list these in the job summary. */
  overflow: ConfigError[];
}

export function toAnnotation(err: ConfigError): Annotation {
  return {
    severity: err.severity,
    message: err.message,
    title: err.code,
    ...(err.file === undefined ? {} : { file: err.file }),
    ...(err.line === undefined ? {} : { startLine: err.line }),
    ...(err.column === undefined ? {} : { startColumn: err.column }),
  };
}

/**
 * The one place where located errors become annotations. `pathPrefix` is prepended to file paths when the config
 * repo is not the workspace root (annotations need paths relative to the repository).
 */
export function planAnnotations(
  errors: readonly ConfigError[],
  options: { limit?: number; pathPrefix?: string } = {},
): AnnotationPlan {
  const limit = options.limit ?? ANNOTATION_LIMIT_PER_SEVERITY;
  const counts = { error: 0, warning: 0 };
  const annotations: Annotation[] = [];
  const overflow: ConfigError[] = [];
  for (const err of sortErrors(errors)) {
    if (counts[err.severity] >= limit) {
      overflow.push(err);
      continue;
    }
    counts[err.severity]++;
    const a = toAnnotation(err);
    if (a.file !== undefined && options.pathPrefix) a.file = joinPosix(options.pathPrefix, a.file);
    annotations.push(a);
  }
  return { annotations, overflow };
}

function joinPosix(prefix: string, file: string): string {
  const p = prefix
    .replace(/\\/g, '/')
    .replace(/^\.\/?/, '')
    .replace(/\/+$/, '');
  return p ? `${p}/${file}` : file;
}
