import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{C as g,L as y,N as S,O as w,e as h}from"./chunk-JGW3HAVM.js";import{c as b,d as m,e as v,g as N,i as R,k as T,m as L,o as V,p as F}from"./chunk-CHYTMPNX.js";import{a as E,c as a}from"./chunk-FNC2NQIL.js";import"./chunk-P26SUQBK.js";import{R as i,v as u}from"./chunk-W4J6FERV.js";import"./chunk-WCMIRV2N.js";import"./chunk-DJH4IAUY.js";import{X as d,n as f}from"./chunk-U4SNEL32.js";import"./chunk-MI5RDHE5.js";import"./chunk-VHNKA4SD.js";import{J as l,b as p}from"./chunk-JFLKH364.js";import{a as r}from"./chunk-HCKHEWNP.js";import{resolve as _}from"node:path";var q=`Usage: itemstore promote --from ENV --to ENV [--repo DIR] [options]

Copies main's versions from one environment to the next one in item-store.yaml's order (dev \u2192 qa, qa \u2192 prod; a skip
is refused); the same code as the promote action, replacing the Jenkins promote jobs. V2 items through the promote
call; S3 objects copied from the from-environment's bucket/prefix to the to-environment's while S3 sync is on;
configs with an S3-only suffix (_SC) go to S3 only. Verified afterwards (MD5 equal on both sides).
  --from ENV, --to ENV  the environments (to must be the one right after from)
  --repo DIR            the config repo checked out at main (default: the current directory)
  --paths P             only these configs or folders (repeatable or comma-separated)
  --dry-run             plan only: list what would be promoted; write nothing
  --s3-sync on|off      the S3 switch (default: ITEMSTORE_S3_SYNC, else on); off writes no S3 object at all
  --url URL, --token T  Item Store V2 (or ITEMSTORE_URL / ITEMSTORE_TOKEN)
  --endpoint URL        an S3-compatible server (path-style)
  --concurrency N       requests in flight (default 8)
  --report FILE         also write the JSON report here
  --summary             print the Markdown summary
  --json                print the JSON report on stdout
Exit: 0 promoted (or nothing to do), 1 a promotion failed or could not be verified, 2 bad usage.`;async function A(U){let o=R("promote",q,U,{...m({from:"string",to:"string",repo:"string",paths:"strings","dry-run":"boolean"}),...m({"s3-sync":"string",endpoint:"string",concurrency:"string"}),...v,...N});if(!o)return 0;if(!o.from||!o.to)throw new p("--from ENV and --to ENV are both required.");let{url:I,token:O}=T(o),t=b("--concurrency",o.concurrency,8,1,64),n=d(o["s3-sync"]),c=V(o.paths),k=new u({url:I,token:O,concurrency:t,logger:a}),s=new h({...L(o),concurrency:t});try{let e=await g({tree:new f(_(o.repo??".")),from:o.from,to:o.to,...c.length?{paths:c}:{},dryRun:!!o["dry-run"],s3Sync:n.on,s3Note:n.why,store:k,reader:s,clientFor:s.clientFor,concurrency:t,logger:a,progress:l(),...i()?{runUrl:i()}:{}});await F(o,e,{summary:r(()=>S(e),"summary"),lines:r(()=>w(e),"lines")});let C=e.counts;return E(`${y(e)}; S3 sync ${e.s3Sync?"on":"off"} (${n.why})`),C.failed||e.unverified?1:0}finally{s.close()}}r(A,"promoteCommand");export{A as promoteCommand};
