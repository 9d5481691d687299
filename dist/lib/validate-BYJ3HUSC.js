import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{F as C,G as _,H as q,I as D,J as P,e as $,n as I,w as x,y as M,z as A}from"./chunk-JGW3HAVM.js";import{c as j,d as h,e as B,f as J,g as G,i as H,k as Y,l as K,m as W,o as z,q as g}from"./chunk-CHYTMPNX.js";import{a as i,b as f,c as m}from"./chunk-FNC2NQIL.js";import"./chunk-P26SUQBK.js";import{R as S,v as U}from"./chunk-W4J6FERV.js";import"./chunk-WCMIRV2N.js";import"./chunk-DJH4IAUY.js";import{X as N,e as T,j as V,n as k}from"./chunk-U4SNEL32.js";import"./chunk-MI5RDHE5.js";import"./chunk-VHNKA4SD.js";import{J as R,b as l}from"./chunk-JFLKH364.js";import{a as r}from"./chunk-HCKHEWNP.js";import{resolve as re}from"node:path";var ne=`Usage: itemstore validate [--repo DIR] [--environment ENV] [--against repo|s3-vs-v2] [options]

Drift report between the repo (main's configs), Item Store V2 and S3 for one environment; the same code as the
validate action. One status per config, environment and store: in-sync, awaiting-promotion (a version the pipeline
wrote that a newer one in the environment before supersedes: not drift), edited-outside (content no pipeline write
produced, told by the audit trail), missing, orphan. Only edited-outside, missing and orphan are drift.
  --repo DIR            the config repo, checked out at main (default: the current directory)
  --environment ENV     default: the first environment of item-store.yaml
  --against MODE        repo (default): MD5s from listings only (V2 manifest, S3 ETags) against what the repo
                        would write; s3-vs-v2: S3 against V2 as JSON values (legacy multi-document = its config_list)
  --read-all            s3-vs-v2: download every pair, even when both sides equal the repo's bytes
  --paths P             only these configs or folders (repeatable or comma-separated); orphans are then not looked for
  --url URL             Item Store V2 base URL (or ITEMSTORE_URL)
  --token T             bearer token (or ITEMSTORE_TOKEN, which keeps it out of the process list)
  --endpoint URL        an S3-compatible server (path-style); --bucket, --prefix, --region override item-store.yaml
  --fail-on-drift B     true (default): exit 1 when drift remains; false: exit 0
  --s3-sync on|off      the S3 switch (default: ITEMSTORE_S3_SYNC, else on); off validates V2 alone, with no S3
                        request (no AWS credentials needed), and a fix writes no S3 object
  --fix                 repair the drift of ENV only (never a row awaiting promotion): in the first environment write --source's content to V2; in qa or prod
                        promote the previous environment's version (refused unless it holds the source's
                        content); with --source repo also re-upload drifted S3 objects of ENV while S3 sync is on;
                        with --source s3 also write the repo files it took from S3 (as YAML 1.2 meaning what 1.1
                        readers of S3 read), so git and V2 agree: commit them
  --source S            s3 or repo: the source of truth for --fix (required with --fix)
  --prune               with --fix: also delete orphans (V2: a tombstone in every environment; S3: the object)
  --yes                 apply the fix; without it the plan is printed and nothing changes
  --concurrency N       requests in flight (default 16)
  --report FILE         also write the JSON report here
  --all                 also list in-sync rows
  --summary             print the Markdown summary
  --json                print the JSON report on stdout
Exit: 0 no drift (rows awaiting promotion are reported, not drift; or a fix plan printed without --yes), 1 drift
(with --fail-on-drift true), 2 bad usage.`;async function ue(w){let e=H("validate",ne,w,{...h({repo:"string",environment:"string",against:"string","read-all":"boolean"}),...h({paths:"strings","fail-on-drift":"string","s3-sync":"string",fix:"boolean"}),...h({source:"string",prune:"boolean",yes:"boolean",concurrency:"string",all:"boolean"}),...B,...J,...G});if(!e)return 0;let s=e.against??"repo";if(s!=="repo"&&s!=="s3-vs-v2")throw new l(`--against must be repo or s3-vs-v2, got "${e.against}".`);let Q=ie("--fail-on-drift",e["fail-on-drift"],!0),X=N(e["s3-sync"]),y=e.source;if(e.fix&&y!=="s3"&&y!=="repo")throw new l("--fix needs --source s3 or --source repo: which side is the source of truth.");if(!e.fix&&(e.source||e.prune||e.yes))throw new l("--source, --prune and --yes only make sense with --fix.");let d=j("--concurrency",e.concurrency,16,1,256),{url:Z,token:ee}=Y(e),b=z(e.paths),c=new k(re(e.repo??".")),E=await T(c),te=K(e),v=new U({url:Z,token:ee,concurrency:d,logger:m}),p=new $({...W(e),concurrency:d}),F=R(),L=r(()=>I({tree:c,settings:E,...e.environment?{environment:e.environment}:{},against:s,store:v,s3:{reader:p,locationOf:r((o,u)=>V(E,o,u,te),"locationOf")},...b.length?{paths:b}:{},readAll:!!e["read-all"],concurrency:d,logger:m,progress:F,v2Requests:r(()=>v.requestCount,"v2Requests"),s3Switch:X}),"run");try{let o=await L(),u=r(()=>{let{report:t}=o;if(e.json)f(JSON.stringify(t,null,2));else if(e.summary)f(C(t).toMarkdown());else for(let n of _(t,{all:!!e.all}))f(n);i(q(o.report))},"print");if(u(),e.fix&&o.report.drifted>0){let t=await M(o,{source:y,prune:!!e.prune,reader:p,repoTree:c});i(`fix from ${t.source}${e.yes?"":" (plan only, nothing written)"}: ${t.actions.length} action(s), ${t.unfixable.length} drifted row(s) it cannot fix`);for(let a of D(t,{would:!e.yes}))i(`  ${a}`);if(!e.yes)return i("nothing changed; rerun with --yes to apply this plan."),await g(e.report,{validate:o.report,fix:{plan:{...t,actions:t.actions.map(x)},applied:!1}}),0;let n=await A(t,{store:v,clientFor:p.clientFor,concurrency:d,logger:m,progress:F,repoDir:c.root,...S()?{runUrl:S()}:{}});e.summary&&f(P(t,n).toMarkdown());let O=n.filter(a=>a.outcome==="failed").length;i(`fix: ${n.filter(a=>a.outcome==="done").length} done, ${O} failed; validating again`);let oe=o.report;if(o=await L(),u(),await g(e.report,{validate:o.report,before:oe,fix:{plan:{...t,actions:t.actions.map(x)},results:n}}),O)return 1}else await g(e.report,o.report);return Q&&o.report.drifted>0?1:0}finally{p.close()}}r(ue,"validateCommand");function ie(w,e,s){if(e===void 0)return s;if(["true","yes","on","1"].includes(e.toLowerCase()))return!0;if(["false","no","off","0"].includes(e.toLowerCase()))return!1;throw new l(`${w} must be true or false, got "${e}".`)}r(ie,"booleanFlag");export{ue as validateCommand};
