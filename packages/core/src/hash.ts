import { nodeCrypto } from './builtins.js';

/** Hex MD5 of the bytes that are (or would be) stored: what S3 ETags and V2 `md5` fields hold. */
export function md5Hex(data: string | Uint8Array): string {
  return nodeCrypto().createHash('md5').update(data).digest('hex');
}

/** Base64 MD5, for S3's `Content-MD5` header. */
export function md5Base64(data: string | Uint8Array): string {
  return nodeCrypto().createHash('md5').update(data).digest('base64');
}

export function sha256Hex(data: string | Uint8Array): string {
  return nodeCrypto().createHash('sha256').update(data).digest('hex');
}
