import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{Q as b,R as g,S as w,T as E}from"./chunk-JGW3HAVM.js";import{a as T}from"./chunk-CHYTMPNX.js";import{a as v,b as o,c as a}from"./chunk-FNC2NQIL.js";import"./chunk-P26SUQBK.js";import{R as f,v as y}from"./chunk-W4J6FERV.js";import"./chunk-WCMIRV2N.js";import"./chunk-DJH4IAUY.js";import{n as d}from"./chunk-U4SNEL32.js";import"./chunk-MI5RDHE5.js";import"./chunk-VHNKA4SD.js";import{b as n}from"./chunk-JFLKH364.js";import{a as h}from"./chunk-HCKHEWNP.js";import{writeFile as O}from"node:fs/promises";import{parseArgs as k}from"node:util";import{resolve as R}from"node:path";var L=`Usage: itemstore cleanup-branch <branch> [--repo DIR] [options]

Tombstones every item of a deleted feature branch (the items tagged branch=<branch>) in V2's deploy environment
(the first of item-store.yaml), the same code as the cleanup-branch action that cleanup-branch.yaml runs on GitHub's
delete event. Main's items (no branch tag) are never touched, S3 is never touched (it has no branches), and the
main branch's name or an empty name is refused.
  <branch>            the deleted branch's name, exactly (branch names are case-sensitive)
  --repo DIR          the config repo, main checked out (default: the current directory): item-store.yaml gives
                      the namespaces to look in and the deploy environment
  --environment ENV   only the deploy environment (the default) is allowed
  --dry-run           list the items that would be tombstoned; write nothing
  --url URL           Item Store V2 base URL (or ITEMSTORE_URL)
  --token T           bearer token (or ITEMSTORE_TOKEN); a branch token (scope write:dev:branch) is enough
  --concurrency N     requests in flight (default 8)
  --report FILE       also write the JSON report here
  --summary           print the Markdown summary instead of one line per item
  --json              print the JSON report on stdout
Exit: 0 done (or nothing to do), 1 a tombstone could not be written, 2 bad usage or refused.`;async function $(S){let i={repo:{type:"string"},environment:{type:"string"},"dry-run":{type:"boolean"},url:{type:"string"},token:{type:"string"},concurrency:{type:"string"},report:{type:"string"},summary:{type:"boolean"},json:{type:"boolean"},help:{type:"boolean",short:"h"}},c;try{c=k({args:S,allowPositionals:!0,strict:!0,options:i})}catch(s){let I=s.message.replace(/\.?$/,".");throw new n(`${I}${T(s,i)} (see itemstore cleanup-branch --help).`)}let{values:e,positionals:m}=c;if(e.help)return o(L),0;if(m.length>1)throw new n("Give exactly one branch name (see itemstore cleanup-branch --help).");let l=e.url??process.env.ITEMSTORE_URL,u=e.token??process.env.ITEMSTORE_TOKEN,t=e.concurrency===void 0?8:Number(e.concurrency);if(!Number.isInteger(t)||t<1||t>64)throw new n(`--concurrency must be a whole number from 1 to 64, got "${e.concurrency}".`);if(!l)throw new n("--url URL (or ITEMSTORE_URL) is required: where Item Store V2 is.");if(!u)throw new n("--token T (or ITEMSTORE_TOKEN) is required.");let p=f(),r=await b({tree:new d(R(e.repo??".")),branch:m[0]??"",...e.environment?{environment:e.environment}:{},dryRun:!!e["dry-run"],store:new y({url:l,token:u,concurrency:t,logger:a}),concurrency:t,logger:a,...p?{runUrl:p}:{}});if(e.report&&await O(R(e.report),JSON.stringify(r,null,2)+`
`),e.json)o(JSON.stringify(r,null,2));else if(e.summary)o(w(r).toMarkdown());else for(let s of E(r))o(s);return v(g(r)),r.counts.failed?1:0}h($,"cleanupBranchCommand");export{$ as cleanupBranchCommand};
