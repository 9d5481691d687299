import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{a as h,c as b}from"./chunk-QGS5YWHB.js";import{a as S,b as r,c as v}from"./chunk-VUTC46PW.js";import{b as g,c as f,r as u,s as y}from"./chunk-TEBWM5DH.js";import"./chunk-P26SUQBK.js";import"./chunk-SIRPWLNX.js";import"./chunk-7ZLX3FCP.js";import"./chunk-DJH4IAUY.js";import{b as c,f as d,j as m}from"./chunk-24ZRB5FW.js";import"./chunk-MI5RDHE5.js";import"./chunk-JFJ3AGTQ.js";import"./chunk-EXRA7BC3.js";import{a as s}from"./chunk-HCKHEWNP.js";import{writeFile as $}from"node:fs/promises";import{resolve as L}from"node:path";var j=`Usage: itemstore audit-yaml11 [--repo DIR] [--environments LIST] [--no-s3] [options]

Lists every plain scalar that YAML 1.1 readers (PyYAML and the other legacy readers of S3) and YAML 1.2 (this
suite, Item Store V2) read differently: yes/no/on/off/y/n, 0755, 0b101, 1_000, 1:30, 2001-12-14 and the rest of
the table in packages/convert/README.md. Looks in the repo's configs (an error where S3 gets the file's bytes, a
warning elsewhere) and in the S3 objects of each environment's buckets (what migrate reads as YAML 1.1 and stores).
  --repo DIR            the config repo (default: the current directory)
  --environments LIST   S3 environments to read, comma-separated (default: all of item-store.yaml)
  --no-s3               the repo only (no AWS credentials needed)
  --endpoint URL        an S3-compatible server (path-style); --bucket, --prefix, --region override item-store.yaml
  --concurrency N       S3 reads in flight (default 16)
  --report FILE         also write the JSON report here
  --json                print the JSON report on stdout
Exit: 0 nothing ambiguous, 1 something listed, 2 bad usage.`;async function R(w){let{values:e}=h("audit-yaml11",w,{repo:{type:"string"},environments:{type:"string"},"no-s3":{type:"boolean"},endpoint:{type:"string"},bucket:{type:"string"},prefix:{type:"string"},region:{type:"string"},concurrency:{type:"string"},report:{type:"string"},json:{type:"boolean"},help:{type:"boolean",short:"h"}});if(e.help)return r(j),0;let a=b("--concurrency",e.concurrency,16,1,256),l=new m(L(e.repo??".")),o=await c(l),p=(e.environments??"").split(",").map(t=>t.trim()).filter(Boolean).map(t=>g(o,t)),A={...e.bucket?{bucket:e.bucket}:{},...e.prefix!==void 0?{prefix:e.prefix}:{},...e.region?{region:e.region}:{}},n=e["no-s3"]?void 0:new f({...e.endpoint?{endpoint:e.endpoint}:{},concurrency:a});try{let t=await u({tree:l,settings:o,...n?{reader:n}:{},...p.length?{environments:p}:{},locationOf:s((i,Y)=>d(o,i,Y,A),"locationOf"),concurrency:a,logger:v});if(e.report&&await $(L(e.report),JSON.stringify(t,null,2)+`
`),e.json)r(JSON.stringify(t,null,2));else for(let i of y(t))r(i);let k=n?`; S3: ${t.s3.rows} in ${t.s3.objects} YAML object(s) of ${t.s3.locations.join(", ")}${t.s3.unreadable.length?` (${t.s3.unreadable.length} did not parse)`:""}`:"";return S(`audit-yaml11: repo: ${t.repo.rows} in ${t.repo.files} YAML config(s)${k}`),t.rows.length?1:0}finally{n?.close()}}s(R,"auditYaml11Command");export{R as auditYaml11Command};
