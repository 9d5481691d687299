import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{a as t}from"./chunk-EXRA7BC3.js";import{a as o}from"./chunk-HCKHEWNP.js";function n(r){process.stderr.write(r.endsWith(`
`)?r:r+`
`)}o(n,"stderr");function i(r){process.stdout.write(r.endsWith(`
`)?r:r+`
`)}o(i,"stdout");var s={debug:o(r=>{process.env.ITEMSTORE_DEBUG&&n(`debug: ${r}`)},"debug"),info:o(r=>n(r),"info"),warning:o(r=>n(`warning: ${r instanceof t?r.toString():r}`),"warning"),error:o(r=>n(`error: ${r instanceof t?r.toString():r}`),"error")};export{n as a,i as b,s as c};
