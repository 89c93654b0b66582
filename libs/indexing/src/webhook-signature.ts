import { createHmac } from 'node:crypto';

/**
 * API.md: `Facesearch-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">` with the tenant's secret
 * (its UTF-8 bytes; pass a Buffer the caller can zero-fill afterwards).
 */
export function signWebhook(secret: string | Uint8Array, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}
