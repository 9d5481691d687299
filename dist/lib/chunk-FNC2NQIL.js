import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{I as t,a as e}from"./chunk-JFLKH364.js";import{a as o}from"./chunk-HCKHEWNP.js";function n(r){t(),process.stderr.write(r.endsWith(`
`)?r:r+`
`)}o(n,"stderr");function s(r){t(),process.stdout.write(r.endsWith(`
`)?r:r+`
`)}o(s,"stdout");var g={debug:o(r=>{process.env.ITEMSTORE_DEBUG&&n(`debug: ${r}`)},"debug"),info:o(r=>n(r),"info"),warning:o(r=>n(`warning: ${r instanceof e?r.toString():r}`),"warning"),error:o(r=>n(`error: ${r instanceof e?r.toString():r}`),"error")};export{n as a,s as b,g as c};
