/**
 * The import-restriction lint rule (scripts/eslint-boundaries.mjs, in eslint.config.js): generated from each
 * package.json, it refuses in a package's src/ what that package does not declare, a path into another package's
 * src/, and the test harness in product code; what a package declares passes.
 */
import { expect, jest, test } from '@jest/globals';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { repoRoot } from '../helpers/run-bundle.js';

jest.setTimeout(60_000);

async function restricted(pkg: string, source: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: repoRoot });
  const [result] = await eslint.lintText(source, {
    filePath: join(repoRoot, 'packages', pkg, 'src/probe.ts'),
  });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

test('an undeclared package, a path into another src/ and the harness are refused; declared ones pass', async () => {
  const refused = await restricted(
    'config',
    [
      "import type { ItemStore } from '@itemstore/v2';",
      "import type { PromoteReport } from '../../ops/src/promote.js';",
      "import type { WorkflowRunner } from '@itemstore/workflow-runner';",
      "import type { LimitFunction } from 'p-limit';",
      "import type { Logger } from '@itemstore/core';",
      "import { parse } from 'yaml';",
      'export type X = [ItemStore, PromoteReport, WorkflowRunner, LimitFunction, Logger, typeof parse];',
      '',
    ].join('\n'),
  );
  expect(refused).toHaveLength(4);
  expect(refused[0]).toContain('@itemstore/config does not declare this package');
  expect(refused[1]).toContain('never by a path into its src/');
});
