import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{a,b,c,d,e}from"./chunk-4IELF642.js";import"./chunk-NIMBNEIV.js";import"./chunk-YVGRJ4VA.js";import"./chunk-XGA6YQFZ.js";import"./chunk-MI5RDHE5.js";import"./chunk-VO3NKX2G.js";import"./chunk-LJR4I25B.js";import"./chunk-Q6VQQSH7.js";import"./chunk-HCKHEWNP.js";export{c as RESOLVE_SUMMARY_ROW_LIMIT,b as describeIdentityChange,e as openTrees,a as resolveManifest,d as resolveSummary};
