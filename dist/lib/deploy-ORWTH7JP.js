import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{b as E}from"./chunk-JVUPM7W3.js";import{c as B,d as u,e as x,g as N,i as P,k as $,n as _,p as q}from"./chunk-NPBMMCIR.js";import{a as b,c as s}from"./chunk-RUHXPUZ3.js";import{E as A,J as D,K as V,M as C,P as H,v as U}from"./chunk-ZUCWLXNV.js";import{M,P as v,e as f,n as p}from"./chunk-XGA6YQFZ.js";import"./chunk-MI5RDHE5.js";import{x as O}from"./chunk-VO3NKX2G.js";import{B as F,H as I,b as y,o as T,q as w}from"./chunk-Q6VQQSH7.js";import{a as i}from"./chunk-HCKHEWNP.js";import{resolve as G}from"node:path";var j=`Usage: itemstore deploy --url URL [--token T] [--repo DIR] [--manifest FILE] [options]

Writes configs to Item Store V2, the same code as the deploy-item-store-v2 action.
  --repo DIR          the config repo (default: the current directory)
  --url URL           Item Store V2 base URL (or ITEMSTORE_URL)
  --token T           bearer token (or ITEMSTORE_TOKEN, which keeps it out of the process list)
  --manifest FILE     a resolved manifest (resolve-tags' output); without it, every config of --repo is deployed
  --branch B          branch for the branch tag (default: the checked-out branch); only without --manifest
  --environment ENV   V2 environment: only the first one in item-store.yaml (the default); qa and prod
                      change only by promotion
  --dry-run           plan only: print what would change, with diffs; write nothing
  --deletions MODE    apply (default) or skip: tombstones for configs deleted in git
  --prune             without --manifest on the main branch: also tombstone the items of main that no config
                      maps to (orphans; listed in every such run, tombstoned only with --prune)
  --concurrency N     requests in flight (default 8)
  --report FILE       also write the JSON report here
  --summary           print the Markdown summary instead of one line per item
  --json              print the JSON report on stdout
  --allow-dirty       deploy from a checkout with uncommitted changes (each version then records dirty: "true");
                      without it such a deploy is refused, since the content would be recorded under HEAD's commit`;async function ne(a){let e=P("deploy",j,a,{...u({repo:"string",manifest:"string",branch:"string",environment:"string"}),...u({"dry-run":"boolean",deletions:"string",prune:"boolean",concurrency:"string"}),...u({"allow-dirty":"boolean"}),...x,...N});if(!e)return 0;let{url:c,token:l}=$(e),d=_(e.deletions)??"apply",m=B("--concurrency",e.concurrency,8,1,64),n=G(e.repo??".");e.manifest||await E(n);let R=I(),o;if(e.manifest)o=await T(G(e.manifest));else{v(await f(new p(n)),e.environment);let t=R.start("deploy: resolving every config of the checkout");o=await K(n,e.branch).finally(()=>t.done())}let k=new p(w(o)),L=await f(k),J=v(L,e.environment),S=new U({url:c,token:l,concurrency:m,logger:s}),g=!!e["dry-run"],h=!1;if(!g){let t=await(await E(w(o))).uncommittedFiles();if(h=t.length>0,h&&!e["allow-dirty"])throw new y(`The checkout has uncommitted changes (${t.length} file${t.length===1?"":"s"}, e.g. ${t[0]}), which would be recorded under commit ${o.headSha.slice(0,12)}: commit them first, or pass --allow-dirty to record dirty: "true" on each version.`);h&&b(`deploy: ${t.length} uncommitted file(s); each version records dirty: "true".`)}let{plan:W,report:r}=await H(o,{store:S,environment:J,dryRun:g,deletions:d,concurrency:m,isAncestor:A(o.repoRoot,{logger:s}),convert:O,tree:k,maxBytes:L.maxConfigBytes,dirty:h,orphans:{prune:!!e.prune},logger:s,progress:R});return await q(e,r,{summary:i(()=>D(r,{notForV2:W.notForV2}),"summary"),lines:i(()=>[...C(r),...g?r.entries.flatMap(t=>t.diff?[t.diff]:[]):[]],"lines")}),b(V(r,S.requestCount)),r.counts.failed?1:0}i(ne,"deployCommand");async function K(a,e){let c=new p(a),l=await f(c),d=new F(a),m=await d.textOrUndefined(["rev-parse","HEAD"])??"working-tree",n=e??await d.textOrUndefined(["rev-parse","--abbrev-ref","HEAD"])??l.mainBranch;if(n==="HEAD")throw new y("The checkout is on a detached HEAD; pass --branch to say which branch to deploy as.");return M(c,l,{branch:n,headSha:m,event:"cli",note:"itemstore deploy without --manifest: every config of the checkout",logger:s})}i(K,"manifestOfWholeRepo");export{ne as deployCommand};
