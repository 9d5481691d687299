import { afterEach, beforeEach, jest } from '@jest/globals';

/**
 * What a command printed in the current test: process.stdout and process.stderr captured from each test's start
 * (registers beforeEach/afterEach in the calling file), for tests that run CLI commands in-process.
 */
export function captureTerminal(): { out: string; err: string } {
  const seen = { out: '', err: '' };
  beforeEach(() => {
    seen.out = '';
    seen.err = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((s) => ((seen.out += String(s)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((s) => ((seen.err += String(s)), true));
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });
  return seen;
}
