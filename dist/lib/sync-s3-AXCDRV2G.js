import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{c as i,d as r,f as S,g as v,i as b,l as E,m as L,n as R,p as x}from"./chunk-CHYTMPNX.js";import{a as g,c as w}from"./chunk-FNC2NQIL.js";import{A as d,B as u,C as h,D as s,E as y}from"./chunk-WCMIRV2N.js";import"./chunk-DJH4IAUY.js";import{X as p}from"./chunk-U4SNEL32.js";import"./chunk-MI5RDHE5.js";import"./chunk-VHNKA4SD.js";import{J as m,b as f,r as c}from"./chunk-JFLKH364.js";import{a as n}from"./chunk-HCKHEWNP.js";import{resolve as C}from"node:path";var T=`Usage: itemstore sync-s3 [--repo DIR] [--environment ENV] [--manifest FILE | --full] [options]

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
  --concurrency N       requests in flight (default ${s})
  --max-attempts N      attempts per request, with backoff (default 3)
  --report FILE         also write the JSON report here
  --summary             print the Markdown summary instead of one line per object
  --json                print the JSON report on stdout
Credentials come from the default AWS chain (environment, profile, SSO, instance role); they are never printed.`;async function B(F){let e=b("sync-s3",T,F,{...r({repo:"string",environment:"string",manifest:"string",full:"boolean"}),...r({"dry-run":"boolean",deletions:"string","allow-feature-branch":"boolean"}),...r({"s3-sync":"string",concurrency:"string","max-attempts":"string"}),...S,...v});if(!e)return 0;if(e.manifest&&e.full)throw new f("Give --manifest FILE or --full, not both.");let a=R(e.deletions),N=i("--concurrency",e.concurrency,s,1,256),O=i("--max-attempts",e["max-attempts"],3,1,20),o=e.manifest?await c(C(e.manifest)):void 0,l=e.repo?C(e.repo):o?void 0:process.cwd(),k=!!e["dry-run"],I=p(e["s3-sync"]),{report:t}=await y({...o?{manifest:o}:{full:!0},...l?{repoDir:l}:{},...e.environment?{environment:e.environment}:{},overrides:E(e),...L(e),...a?{deletions:a}:{},allowFeatureBranch:!!e["allow-feature-branch"],s3Switch:I,concurrency:N,maxAttempts:O,dryRun:k,logger:w,progress:m()});return await x(e,t,{summary:n(()=>d(t),"summary"),lines:n(()=>h(t),"lines")}),g(u(t)),t.counts.failed?1:0}n(B,"syncS3Command");export{B as syncS3Command};
