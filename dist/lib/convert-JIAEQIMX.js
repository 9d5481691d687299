import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{C as g,E as p,F as y,J as h,K as m,L as w}from"./chunk-VHNKA4SD.js";import{a as u,b as n,e as d}from"./chunk-JFLKH364.js";import{a as s}from"./chunk-HCKHEWNP.js";import{readFileSync as v,renameSync as S,rmSync as C,statSync as $,writeFileSync as A}from"node:fs";import{basename as I,dirname as N,join as O}from"node:path";import{parseArgs as E}from"node:util";var x=`Usage: itemstore convert <direction> <file> [-o OUT] [--format plain|config-list|dq] [--max-bytes N]

Directions:
  to-v2           a config (.json, .yaml, .yml) -> the JSON text Item Store V2 stores
  to-config-list  a legacy multi-document YAML -> one YAML document whose config_list holds the documents
                  (the form config authors commit)
  to-legacy       a config_list config (YAML or JSON) -> the legacy multi-document YAML S3 gets (format dq)
  from-legacy     a legacy multi-document YAML -> the V2 JSON of {"config_list": [...]}

Options:
  -o, --output OUT  write to OUT instead of stdout (nothing is written when the input has a problem)
  --format F        team format for to-v2 (default plain) and to-legacy (default dq)
  --max-bytes N     size limit for the input (default 1048576)

Problems print as file:line:column: message and exit 1; a wrong call exits 2.`,F=["to-v2","to-config-list","to-legacy","from-legacy"],D={stdout:s(e=>process.stdout.write(e),"stdout"),stderr:s(e=>process.stderr.write(e.endsWith(`
`)?e:e+`
`),"stderr")};async function V(e,r=D){let t;try{t=L(e)}catch(o){if(o instanceof n)return r.stderr(`itemstore convert: ${o.message}

${x}`),2;throw o}if(t==="help")return r.stdout(x+`
`),0;try{let o=T(t.file),i=M(t.direction,o,t.file,t.format,t.maxBytes);return t.output===void 0?r.stdout(i):U(t.output,i),0}catch(o){if(o instanceof d){for(let i of o.errors)r.stderr(i.toString());return 1}if(o instanceof u)return r.stderr(o.toString()),1;if(o instanceof n)return r.stderr(`itemstore convert: ${o.message}`),2;throw o}}s(V,"convertCommand");function L(e){let r;try{r=E({args:e,allowPositionals:!0,strict:!0,options:{output:{type:"string",short:"o"},format:{type:"string"},"max-bytes":{type:"string"},help:{type:"boolean",short:"h"}}})}catch(b){throw new n(b.message.split(`
`)[0]??"bad arguments")}let{values:t,positionals:o}=r;if(t.help)return"help";let[i,a,...l]=o;if(!i)throw new n("say which direction: to-v2, to-config-list, to-legacy or from-legacy.");if(!F.includes(i))throw new n(`unknown direction "${i}"; use to-v2, to-config-list, to-legacy or from-legacy.`);if(!a)throw new n(`convert ${i} needs the file to convert.`);if(l.length>0)throw new n(`convert takes one file; got also ${l.join(" ")}.`);let c=t.format;if(c!==void 0&&!g.includes(c))throw new n(`--format must be plain, config-list or dq, not "${c}".`);let f;if(t["max-bytes"]!==void 0&&(f=Number(t["max-bytes"]),!Number.isSafeInteger(f)||f<=0))throw new n(`--max-bytes must be a positive whole number, not "${t["max-bytes"]}".`);if(t.output==="")throw new n("-o needs a file name.");return{direction:i,file:a.replaceAll("\\","/"),output:t.output,format:c,maxBytes:f}}s(L,"parseCall");function M(e,r,t,o,i){let a={file:t,...i===void 0?{}:{maxBytes:i}};switch(e){case"to-v2":return y(r,{...a,format:o??"plain"}).text;case"to-legacy":return h(p(r,{...a,format:o??"dq"}),{file:t});case"from-legacy":return m(r,a).text;case"to-config-list":return w(m(r,a).value,{file:t})}}s(M,"convert");function T(e){let r;try{r=$(e).isFile()}catch{throw new n(`cannot read ${e}: no such file.`)}if(!r)throw new n(`${e} is not a file.`);return v(e)}s(T,"readInput");function U(e,r){let t=O(N(e),`.${I(e)}.${process.pid}.tmp`);try{A(t,r),S(t,e)}catch(o){throw C(t,{force:!0}),new n(`cannot write ${e}: ${o.code??o.message}.`)}}s(U,"writeAtomically");export{x as CONVERT_USAGE,M as convert,V as convertCommand};
