import { createRequire as __itemstoreCreateRequire } from 'node:module';
const require = __itemstoreCreateRequire(import.meta.url);
import{a as e}from"./chunk-HCKHEWNP.js";import{createRequire as p}from"node:module";var r,o=e(()=>r??=p(import.meta.url)("../lib/picomatch.cjs"),"load"),i=new Proxy(function(){},{get:e((l,t)=>o()[t],"get"),apply:e((l,t,a)=>Reflect.apply(o(),t,a),"apply")});export{i as a};
