import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{a as h}from"./chunk-FAYN37YI.js";import{a as p}from"./chunk-QGS5YWHB.js";import{a as g,b as o,c as u}from"./chunk-VUTC46PW.js";import{a as d,d as m,f as l,g as f}from"./chunk-IERDXDEW.js";import"./chunk-YVGRJ4VA.js";import"./chunk-LJR4I25B.js";import"./chunk-EXRA7BC3.js";import{a as i}from"./chunk-HCKHEWNP.js";import{resolve as R}from"node:path";var k=`Usage: itemstore detect [--repo DIR] [--base REV] [--head REV] [--branch B] [--json] [options]

Lists the configs that changed between two commits, the same code as the detect-changed-paths action.
  --repo DIR            the config repo root, the top of a git work tree or a folder in one (default: .)
  --base REV            compare with this commit or branch (the tree at REV with the tree at --head). Without it:
                        the merge base with the default branch, or every config when on the default branch
  --head REV            the commit whose changes to list (default: HEAD)
  --branch B            the branch name to report (default: the checked-out branch, case kept)
  --default-branch B    the branch to find the merge base with (default: origin's HEAD, else main)
  --paths GLOB          only paths matching (repeatable; !GLOB takes matches back out)
  --exclude GLOB        leave paths matching out (repeatable)
  --fetch               fetch missing commits from origin (a shallow clone is deepened as needed)
  --json                print the change manifest (JSON) instead of one line per path
  --summary             print the Markdown job summary instead of one line per path`,v={added:"A",modified:"M",deleted:"D",renamed:"R","type-changed":"T",copied:"C",unchanged:"="};async function L(a){let{values:e}=p("detect",a,{repo:{type:"string"},base:{type:"string"},head:{type:"string"},branch:{type:"string"},"default-branch":{type:"string"},paths:{type:"string",multiple:!0},exclude:{type:"string",multiple:!0},fetch:{type:"boolean"},json:{type:"boolean"},summary:{type:"boolean"},help:{type:"boolean",short:"h"}});if(e.help)return o(k),0;let n=R(e.repo??"."),c=new d(n),s=e.branch??await h(c,"HEAD","refs/heads/"),y=e["default-branch"]??(await h(c,"refs/remotes/origin/HEAD","refs/remotes/origin/")||"main"),t=await m({directory:n,event:{eventName:"local",payload:{},...s?{ref:`refs/heads/${s}`}:{}},base:e.base,head:e.head,branch:s,defaultBranch:y,paths:e.paths,exclude:e.exclude,fetch:e.fetch??!1,logger:u});if(e.json)return o(JSON.stringify(t,null,2)),0;if(e.summary)return o(l(t).toMarkdown()),0;for(let r of t.entries){let $=r.previousPath===void 0?"":`${b(r.previousPath)} -> `,E=r.reason==="changed"?"":`  (${r.reason})`;o(`${v[r.status]}  ${$}${b(r.path)}${r.symlink?"  (symlink)":""}${E}`)}let w=t.baseSha?`${t.baseSha.slice(0,12)}..${t.headSha.slice(0,12)}`:`at ${t.headSha.slice(0,12)}`;return g(`${f(t)}, ${w}${t.branch?` on ${t.branch}`:""}.`),0}i(L,"detectCommand");function b(a){return[...a].some(n=>n.charCodeAt(0)<32||n==="\x7F")||/["\\]/.test(a)||a!==a.trim()?JSON.stringify(a):a}i(b,"show");export{L as detectCommand};
