import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{b as g,c as u,d as p}from"./chunk-NJOEQ27V.js";import{a as b}from"./chunk-KYTZ2IIZ.js";import{d as h,h as l,i as f}from"./chunk-CHYTMPNX.js";import{a as d,b as r,c as m}from"./chunk-FNC2NQIL.js";import"./chunk-XEQK4GUE.js";import"./chunk-U4SNEL32.js";import"./chunk-MI5RDHE5.js";import"./chunk-VHNKA4SD.js";import"./chunk-LJR4I25B.js";import{D as c}from"./chunk-JFLKH364.js";import{a as i}from"./chunk-HCKHEWNP.js";import{resolve as k}from"node:path";var L=`Usage: itemstore detect [--repo DIR] [--base REV] [--head REV] [--branch B] [--json] [options]

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
  --summary             print the Markdown job summary instead of one line per path
Lines: A added, M modified, D deleted, R renamed, T type changed, C copied, = file unchanged but re-resolved (a
tags.yaml or item-store.yaml above it changed), * listed by a full listing (no earlier commit to compare with).`,S={added:"A",modified:"M",deleted:"D",renamed:"R","type-changed":"T",copied:"C",unchanged:"="};async function G(n){let e=f("detect",L,n,{...l,...h({repo:"string",paths:"strings",exclude:"strings",fetch:"boolean"}),...h({json:"boolean",summary:"boolean"})});if(!e)return 0;let o=k(e.repo??"."),{branch:s,defaultBranch:w}=await b(new c(o),e),t=await g({directory:o,event:{eventName:"local",payload:{},...s?{ref:`refs/heads/${s}`}:{}},base:e.base,head:e.head,branch:s,defaultBranch:w,paths:e.paths,exclude:e.exclude,fetch:e.fetch??!1,logger:m});if(e.json)return r(JSON.stringify(t,null,2)),0;if(e.summary)return r(u(t).toMarkdown()),0;for(let a of t.entries){let E=a.previousPath===void 0?"":`${y(a.previousPath)} -> `,R=a.reason==="changed"?"":`  (${a.reason==="all"?"full listing":a.reason})`,v=a.reason==="all"?"*":S[a.status];r(`${v}  ${E}${y(a.path)}${a.symlink?"  (symlink)":""}${R}`)}let $=t.baseSha?`${t.baseSha.slice(0,12)}..${t.headSha.slice(0,12)}`:`at ${t.headSha.slice(0,12)}`;return d(`${p(t)}, ${$}${t.branch?` on ${t.branch}`:""}.`),0}i(G,"detectCommand");function y(n){return[...n].some(o=>o.charCodeAt(0)<32||o==="\x7F")||/["\\]/.test(n)||n!==n.trim()?JSON.stringify(n):n}i(y,"show");export{G as detectCommand};
