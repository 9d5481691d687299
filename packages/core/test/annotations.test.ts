import { describe, expect, it } from '@jest/globals';
import { ConfigError, planAnnotations, Summary, codeCell } from '@itemstore/core';

describe('planAnnotations', () => {
  it('shows at most 10 errors and 10 warnings, sorted by file and line, and returns the rest', () => {
    const errors = [
      ...Array.from(
        { length: 14 },
        (_, i) => new ConfigError('yaml-syntax', `bad ${i}`, { file: 'b.yaml', line: 14 - i }),
      ),
      ...Array.from(
        { length: 3 },
        (_, i) => new ConfigError('w', `warn ${i}`, { file: 'a.yaml', line: i + 1 }, { severity: 'warning' }),
      ),
    ];
    const plan = planAnnotations(errors, { pathPrefix: 'configs/' });
    expect(plan.annotations.filter((a) => a.severity === 'error')).toHaveLength(10);
    expect(plan.annotations.filter((a) => a.severity === 'warning')).toHaveLength(3);
    expect(plan.overflow.map((e) => e.line)).toEqual([11, 12, 13, 14]);
    expect(plan.annotations[0]).toMatchObject({ file: 'configs/a.yaml', startLine: 1, severity: 'warning' });
  });

  it('formats located errors the way compilers do', () => {
    expect(new ConfigError('x', 'boom', { file: 'team/a.yaml', line: 3, column: 7 }).toString()).toBe(
      'team/a.yaml:3:7: boom',
    );
  });
});

describe('Summary', () => {
  it('keeps file names with pipes and newlines inside their table cell and cuts long tables', () => {
    const md = new Summary()
      .table(['path'], [[codeCell('a|b\nc.yaml')], ['x'], ['y']], { limit: 2 })
      .toMarkdown();
    expect(md).toContain('`a\\|b↵c.yaml`');
    expect(md).toContain('1 more rows not shown (3 in all)');
    expect(md).not.toContain('| y |');
  });
});
