import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{a as T}from"./chunk-QGS5YWHB.js";import{a as R,b as s,c as a}from"./chunk-VUTC46PW.js";import{a as g,c as S,h as w,n as E,o as b}from"./chunk-TEBWM5DH.js";import"./chunk-P26SUQBK.js";import{e as h,o as m}from"./chunk-SIRPWLNX.js";import"./chunk-7ZLX3FCP.js";import"./chunk-DJH4IAUY.js";import{B as y,j as u}from"./chunk-24ZRB5FW.js";import"./chunk-MI5RDHE5.js";import"./chunk-JFJ3AGTQ.js";import{b as n}from"./chunk-EXRA7BC3.js";import{a as f}from"./chunk-HCKHEWNP.js";import{writeFile as k}from"node:fs/promises";import{resolve as N}from"node:path";var $=`Usage: itemstore promote --from ENV --to ENV [--repo DIR] [options]

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
Exit: 0 promoted (or nothing to do), 1 a promotion failed or could not be verified, 2 bad usage.`;async function x(v){let{values:e}=T("promote",v,{from:{type:"string"},to:{type:"string"},repo:{type:"string"},paths:{type:"string",multiple:!0},"dry-run":{type:"boolean"},"s3-sync":{type:"string"},url:{type:"string"},token:{type:"string"},endpoint:{type:"string"},concurrency:{type:"string"},report:{type:"string"},summary:{type:"boolean"},json:{type:"boolean"},help:{type:"boolean",short:"h"}});if(e.help)return s($),0;if(!e.from||!e.to)throw new n("--from ENV and --to ENV are both required.");let l=e.url??process.env.ITEMSTORE_URL,c=e.token??process.env.ITEMSTORE_TOKEN;if(!l)throw new n("--url URL (or ITEMSTORE_URL) is required: where Item Store V2 is.");if(!c)throw new n("--token T (or ITEMSTORE_TOKEN) is required.");let t=e.concurrency===void 0?8:Number(e.concurrency);if(!Number.isInteger(t)||t<1||t>64)throw new n(`--concurrency must be a whole number from 1 to 64, got "${e.concurrency}".`);let i=y(e["s3-sync"]),d=(e.paths??[]).flatMap(o=>o.split(",")).map(o=>o.trim()).filter(Boolean),I=new h({url:l,token:c,concurrency:t,logger:a}),p=new S({...e.endpoint?{endpoint:e.endpoint}:{},concurrency:t});try{let o=await w({tree:new u(N(e.repo??".")),from:e.from,to:e.to,...d.length?{paths:d}:{},dryRun:!!e["dry-run"],s3Sync:i.on,s3Note:i.why,store:I,reader:p,clientFor:p.clientFor,concurrency:t,logger:a,progress:g(),...m()?{runUrl:m()}:{}});if(e.report&&await k(N(e.report),JSON.stringify(o,null,2)+`
`),e.json)s(JSON.stringify(o,null,2));else if(e.summary)s(E(o).toMarkdown());else for(let O of b(o))s(O);let r=o.counts;return R(`promote ${o.from} \u2192 ${o.to}${o.dryRun?" (dry run)":""}: ${r.promoted} promoted, ${r.deleted} deleted, ${r.unchanged} unchanged, ${r.skipped} skipped, ${r.failed} failed`+(o.dryRun?`, ${r.planned} planned`:`, ${o.unverified} not verified`)+`; S3 sync ${o.s3Sync?"on":"off"} (${i.why})`),r.failed||o.unverified?1:0}finally{p.close()}}f(x,"promoteCommand");export{x as promoteCommand};
