import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{a,b,c,d,e}from"./chunk-WY5Z5UKZ.js";import"./chunk-JBGLRDX3.js";import"./chunk-LQI65PAX.js";import"./chunk-XEQK4GUE.js";import"./chunk-6YWNS4G2.js";import"./chunk-MI5RDHE5.js";import"./chunk-W2TEV6FX.js";import"./chunk-LJR4I25B.js";import"./chunk-F5WJCUPT.js";import"./chunk-HCKHEWNP.js";export{c as RESOLVE_SUMMARY_ROW_LIMIT,b as describeIdentityChange,e as openTrees,a as resolveManifest,d as resolveSummary};
