import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{a,b,c,d,e}from"./chunk-ENOEJZF5.js";import"./chunk-JXDZWD6U.js";import"./chunk-WGVKQZZH.js";import"./chunk-XEQK4GUE.js";import"./chunk-55XM4SSJ.js";import"./chunk-MI5RDHE5.js";import"./chunk-I34YWIGN.js";import"./chunk-LJR4I25B.js";import"./chunk-F5WJCUPT.js";import"./chunk-HCKHEWNP.js";export{c as RESOLVE_SUMMARY_ROW_LIMIT,b as describeIdentityChange,e as openTrees,a as resolveManifest,d as resolveSummary};
