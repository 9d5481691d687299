import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{a as t}from"./chunk-HCKHEWNP.js";import{createRequire as r}from"node:module";var i,c=t(()=>i??=r(import.meta.url)("../lib/actions-github.cjs"),"load");function a(...e){let o=c().getOctokit;return new.target?new o(...e):o(...e)}t(a,"getOctokit");export{a};
