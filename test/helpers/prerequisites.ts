import { test } from '@jest/globals';

export interface Prerequisite {
  /** What the suite needs, e.g. "the AWS CLI (aws on PATH)". */
  what: string;
  present: boolean;
  /** Why the suite needs it (shown in the skipped test's title). */
  why: string;
  /**
   * CI provides it (GitHub's ubuntu runner, .ci/run): under CI=true a missing prerequisite is a failing test, so a CI
   * run cannot go green by skipping. False for what CI does not have either (e.g. running as root).
   */
  requiredInCi: boolean;
}

/**
 * Whether a suite's prerequisite is here. When it is not, the test output says so: one skipped test whose title
 * names what is missing and why (and a warning line), or, under CI=true for a prerequisite CI should have, one
 * failing test. Call it at the top level of the test file; run the suite's tests only when it returns true.
 */
export function prerequisite(p: Prerequisite): boolean {
  if (p.present) return true;
  const title = `needs ${p.what}: ${p.why}`;
  if (p.requiredInCi && process.env.CI === 'true') {
    test(title, () => {
      throw new Error(`${p.what} is missing, and CI should provide it (${p.why}).`);
    });
  } else {
    console.warn(`skipped: ${title}`);
    test.skip(`skipped: ${title}`, () => {});
  }
  return false;
}
