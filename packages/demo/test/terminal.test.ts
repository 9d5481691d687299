import { expect, test } from '@jest/globals';
import { Summary, codeCell } from '@itemstore/core';
import { summaryToText } from '../src/terminal.js';

test('a job summary becomes aligned terminal text without Markdown or HTML', () => {
  const md = new Summary()
    .heading('Item Store V2 deploy: dev')
    .paragraph('Commit `abc123` on branch **main**: 1 created.')
    .table(
      ['path', 'status'],
      [
        [codeCell('data-router/default/orders.yaml'), 'created'],
        ['a\\|b', 'unchanged'],
      ],
    )
    .details('diff of orders <new>', '```diff\n+ "name": "x"\n```')
    .toMarkdown();
  const text = summaryToText(md);
  expect(text).toContain('Item Store V2 deploy: dev\n═════════════════════════');
  expect(text).toContain('Commit abc123 on branch main: 1 created.');
  expect(text).toMatch(/^path {29}status$/m);
  expect(text).toMatch(/^data-router\/default\/orders\.yaml {2}created$/m);
  expect(text).toContain('▸ diff of orders <new>');
  expect(text).toContain('      + "name": "x"');
  expect(text).not.toMatch(/<\/?(details|summary)>|`|\*\*|\| ---/);
});
