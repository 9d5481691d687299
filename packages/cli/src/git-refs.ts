import type { Git } from '@itemstore/changes';

/** Where a symbolic ref points, below `prefix` ('' when detached, missing or not a git repo yet). */
export async function symbolicRef(git: Git, name: string, prefix: string): Promise<string> {
  const r = await git.run(['symbolic-ref', '--quiet', name], { okCodes: [1, 128] });
  const ref = r.stdout.toString('utf8').replace(/\n$/, '');
  return r.exitCode === 0 && ref.startsWith(prefix) ? ref.slice(prefix.length) : '';
}
