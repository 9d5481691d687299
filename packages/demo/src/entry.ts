// The demo bundle's entry (dist/demo/index.js): `itemstore demo` loads it at run time, so the product CLI bundle
// carries neither the demo nor the workflow runner.
export { runDemo, type DemoOptions } from './demo.js';
