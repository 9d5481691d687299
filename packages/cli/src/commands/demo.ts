import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stderr } from '../io.js';
import { flags, parseCommand } from '../args.js';

const HELP = `Usage: itemstore demo [--no-summaries] [--verbose] [--keep]

Runs the config repo's workflows (action-templates/) locally, the way GitHub runs them, against the reference
Item Store V2 server and an S3 server (s3rver) on 127.0.0.1: a first push to main, a change on main, a
feature-branch push, a pull request plan, the merge, promotions, a validation and a push with the S3 switch off.
Each step's job summary is printed as text and checked against what V2 and S3 hold. Needs \`npm ci\` and
\`npm run build\` in the suite (s3rver is a devDependency). Stops every server and process it starts.
  --no-summaries   print the steps and checks only
  --verbose        print every step's log
  --keep           keep the temp folder (config repo, server data) for a look afterwards`;

/** What the demo bundle (dist/demo/index.js, built from packages/demo/src/entry.ts) exports. */
interface DemoModule {
  runDemo(options: {
    resolveFrom?: string;
    summaries?: boolean;
    verbose?: boolean;
    keep?: boolean;
  }): Promise<number>;
}

/**
 * The demo and its workflow runner are a test harness, not product code: the CLI does not depend on them. The
 * demo is its own bundle beside this one (dist/demo/index.js next to dist/cli/itemstore.js), loaded only when
 * `itemstore demo` runs.
 */
export const DEMO_BUNDLE = new URL('../demo/index.js', import.meta.url);

export async function demoCommand(argv: string[]): Promise<number> {
  const values = parseCommand(
    'demo',
    HELP,
    argv,
    flags({ 'no-summaries': 'boolean', verbose: 'boolean', keep: 'boolean' }),
  );
  if (!values) return 0;
  if (!existsSync(fileURLToPath(DEMO_BUNDLE))) {
    stderr(
      `itemstore demo: the demo bundle ${fileURLToPath(DEMO_BUNDLE)} is missing; run \`npm run build\` in the suite first.`,
    );
    return 1;
  }
  const { runDemo } = (await import(DEMO_BUNDLE.href)) as DemoModule;
  return runDemo({
    resolveFrom: import.meta.url,
    summaries: !values['no-summaries'],
    ...(values.verbose ? { verbose: true } : {}),
    ...(values.keep ? { keep: true } : {}),
  });
}
