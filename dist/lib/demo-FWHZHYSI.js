import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{d as t,i as n}from"./chunk-CHYTMPNX.js";import{a as s}from"./chunk-FNC2NQIL.js";import"./chunk-JFLKH364.js";import{a as o}from"./chunk-HCKHEWNP.js";import{existsSync as p}from"node:fs";import{fileURLToPath as a}from"node:url";var u=`Usage: itemstore demo [--no-summaries] [--verbose] [--keep]

Runs the config repo's workflows (action-templates/) locally, the way GitHub runs them, against the reference
Item Store V2 server and an S3 server (s3rver) on 127.0.0.1: a first push to main, a change on main, a
feature-branch push, a pull request plan, the merge, promotions, a validation and a push with the S3 switch off.
Each step's job summary is printed as text and checked against what V2 and S3 hold. Needs \`npm ci\` and
\`npm run build\` in the suite (s3rver is a devDependency). Stops every server and process it starts.
  --no-summaries   print the steps and checks only
  --verbose        print every step's log
  --keep           keep the temp folder (config repo, server data) for a look afterwards`,r=new URL("../demo/index.js",import.meta.url);async function f(m){let e=n("demo",u,m,t({"no-summaries":"boolean",verbose:"boolean",keep:"boolean"}));if(!e)return 0;if(!p(a(r)))return s(`itemstore demo: the demo bundle ${a(r)} is missing; run \`npm run build\` in the suite first.`),1;let{runDemo:i}=await import(r.href);return i({resolveFrom:import.meta.url,summaries:!e["no-summaries"],...e.verbose?{verbose:!0}:{},...e.keep?{keep:!0}:{}})}o(f,"demoCommand");export{r as DEMO_BUNDLE,f as demoCommand};
