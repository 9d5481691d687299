import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{a as k,c as d}from"./chunk-QGS5YWHB.js";import{a,b as i,c as E}from"./chunk-VUTC46PW.js";import{k as S,l as b,m,n as v}from"./chunk-7ZLX3FCP.js";import"./chunk-DJH4IAUY.js";import{B as w}from"./chunk-24ZRB5FW.js";import"./chunk-MI5RDHE5.js";import"./chunk-JFJ3AGTQ.js";import{b as c,o as g}from"./chunk-EXRA7BC3.js";import{a as f}from"./chunk-HCKHEWNP.js";import{writeFile as C}from"node:fs/promises";import{resolve as u}from"node:path";var I=`Usage: itemstore sync-s3 [--repo DIR] [--environment ENV] [--manifest FILE | --full] [options]

Writes default/ configs to S3 (Item Store V0), the same code as the sync-s3 action. Compares the MD5 of what would
be written with each object's ETag (one listing per prefix) and uploads only what differs.
  --repo DIR            the config repo (default: the current directory, or the manifest's repo)
  --environment ENV     S3 environment: only the first one in item-store.yaml (the default); qa and prod
                        change only by promotion
  --manifest FILE       a resolved manifest (resolve-tags' output): its S3 entries only
  --full                every default/ config of --repo (the default when no --manifest is given)
  --bucket B            override the bucket from item-store.yaml
  --prefix P            override the key prefix
  --region R            override the AWS region
  --endpoint URL        an S3-compatible server (path-style), e.g. http://127.0.0.1:9000
  --dry-run             list and plan only; write nothing
  --deletions MODE      apply or skip. Default: apply with --manifest (keys of configs deleted in git),
                        skip with --full; --full --deletions apply deletes EVERY object under the prefix that no
                        config maps to, including objects others put there
  --allow-feature-branch  write S3 from a manifest of a branch other than mainBranch
  --s3-sync on|off      the S3 switch (default: ITEMSTORE_S3_SYNC, else on); off writes nothing and says what it
                        skipped; on cannot override ITEMSTORE_S3_SYNC=off
  --concurrency N       requests in flight (default ${m})
  --max-attempts N      attempts per request, with backoff (default 3)
  --report FILE         also write the JSON report here
  --summary             print the Markdown summary instead of one line per object
  --json                print the JSON report on stdout
Credentials come from the default AWS chain (environment, profile, SSO, instance role); they are never printed.`;async function A(x){let{values:e}=k("sync-s3",x,{repo:{type:"string"},environment:{type:"string"},manifest:{type:"string"},full:{type:"boolean"},bucket:{type:"string"},prefix:{type:"string"},region:{type:"string"},endpoint:{type:"string"},"dry-run":{type:"boolean"},deletions:{type:"string"},"allow-feature-branch":{type:"boolean"},"s3-sync":{type:"string"},concurrency:{type:"string"},"max-attempts":{type:"string"},report:{type:"string"},summary:{type:"boolean"},json:{type:"boolean"},help:{type:"boolean",short:"h"}});if(e.help)return i(I),0;if(e.manifest&&e.full)throw new c("Give --manifest FILE or --full, not both.");let n=e.deletions;if(n!==void 0&&n!=="apply"&&n!=="skip")throw new c(`--deletions must be apply or skip, got "${n}".`);let R=d("--concurrency",e.concurrency,m,1,256),$=d("--max-attempts",e["max-attempts"],3,1,20),p=e.manifest?await g(u(e.manifest)):void 0,y=e.repo?u(e.repo):p?void 0:process.cwd(),l=!!e["dry-run"],N=w(e["s3-sync"]),h=0,{report:t}=await v({...p?{manifest:p}:{full:!0},...y?{repoDir:y}:{},...e.environment?{environment:e.environment}:{},overrides:{...e.bucket?{bucket:e.bucket}:{},...e.prefix!==void 0?{prefix:e.prefix}:{},...e.region?{region:e.region}:{}},...e.endpoint?{endpoint:e.endpoint}:{},...n?{deletions:n}:{},allowFeatureBranch:!!e["allow-feature-branch"],s3Switch:N,concurrency:R,maxAttempts:$,dryRun:l,logger:E,onProgress:f((o,s)=>{s>=50&&(o-h>=s/10||o===s)&&(h=o,a(`sync-s3: ${o}/${s}`))},"onProgress")});if(e.report&&await C(u(e.report),JSON.stringify(t,null,2)+`
`),e.json)i(JSON.stringify(t,null,2));else if(e.summary)i(S(t).toMarkdown());else for(let o of b(t))i(o);let r=t.counts;return t.ran?a(`${l?"plan":"sync"} s3 ${t.environment}: ${r.uploaded} uploaded, ${r.unchanged} unchanged, ${r.deleted} deleted, ${r.kept} kept, ${r.failed} failed${l?" (dry run: nothing written)":""}`):a(`sync-s3: did not run: ${t.notRunReason}`),r.failed?1:0}f(A,"syncS3Command");export{A as syncS3Command};
