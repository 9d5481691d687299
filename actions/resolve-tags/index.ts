// The bundle's entry (scripts/build.mjs takes actions/<name>/index.ts when there is one): the run, then the end.
import { run } from './main.js';

await run();
// Once the run is over and nothing is left pending (the event loop is empty), end the process at once, with the
// exit code the run set: at a natural end Node first tears its heap down page by page, tens of milliseconds that
// no one waits for usefully (measured on the 1-file push of the 10,000-config repo).
process.once('beforeExit', () => process.exit());
