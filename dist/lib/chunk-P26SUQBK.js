import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{a as e}from"./chunk-HCKHEWNP.js";import{createRequire as o}from"node:module";var c,r=e(()=>c??=o(import.meta.url)("../lib/fflate.cjs"),"load");function p(...n){let t=r().unzipSync;return new.target?new t(...n):t(...n)}e(p,"unzipSync");function u(...n){let t=r().zipSync;return new.target?new t(...n):t(...n)}e(u,"zipSync");export{p as a,u as b};
