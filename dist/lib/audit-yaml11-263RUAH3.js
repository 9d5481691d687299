import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{b as p,ca as f,da as u,e as g}from"./chunk-JGW3HAVM.js";import{c as S,d as s,f as v,i as L,l as b,m as w,o as A,p as Y}from"./chunk-CHYTMPNX.js";import{a as h,c as y}from"./chunk-FNC2NQIL.js";import"./chunk-P26SUQBK.js";import"./chunk-W4J6FERV.js";import"./chunk-WCMIRV2N.js";import"./chunk-DJH4IAUY.js";import{e as c,j as d,n as m}from"./chunk-U4SNEL32.js";import"./chunk-MI5RDHE5.js";import"./chunk-VHNKA4SD.js";import"./chunk-JFLKH364.js";import{a as t}from"./chunk-HCKHEWNP.js";import{resolve as R}from"node:path";var k=`Usage: itemstore audit-yaml11 [--repo DIR] [--environments LIST] [--no-s3] [options]

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
Exit: 0 nothing ambiguous, 1 something listed, 2 bad usage.`;async function P($){let n=L("audit-yaml11",k,$,{...s({repo:"string",environments:"string","no-s3":"boolean",concurrency:"string"}),...s({report:"string",json:"boolean"}),...v});if(!n)return 0;let a=S("--concurrency",n.concurrency,16,1,256),i=new m(R(n.repo??".")),o=await c(i),l=A(n.environments).map(e=>p(o,e)),M=b(n),r=n["no-s3"]?void 0:new g({...w(n),concurrency:a});try{let e=await f({tree:i,settings:o,...r?{reader:r}:{},...l.length?{environments:l}:{},locationOf:t((E,I)=>d(o,E,I,M),"locationOf"),concurrency:a,logger:y});await Y(n,e,{lines:t(()=>u(e),"lines")});let j=r?`; S3: ${e.s3.rows} in ${e.s3.objects} YAML object(s) of ${e.s3.locations.join(", ")}${e.s3.unreadable.length?` (${e.s3.unreadable.length} did not parse)`:""}`:"";return h(`audit-yaml11: repo: ${e.repo.rows} in ${e.repo.files} YAML config(s)${j}`),e.rows.length?1:0}finally{r?.close()}}t(P,"auditYaml11Command");export{P as auditYaml11Command};
