import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures (API.md "Indexing"): header `Facesearch-Signature: t=<unix seconds>,v1=<hex>`,
 * where v1 = HMAC-SHA256(key = the tenant's webhook secret as UTF-8, message = "<t>.<raw body>").
 * Several v1 values may appear (while a secret is being rotated); one match is enough.
 */

export const WEBHOOK_SIGNATURE_HEADER = 'Facesearch-Signature';

export type WebhookPayload = string | Uint8Array;

export type WebhookSignatureFailure = 'malformed_header' | 'no_matching_signature' | 'timestamp_outside_tolerance';

/** Verification failed; `reason` says why (safe to log: it holds no secret or signature). */
export class WebhookSignatureError extends Error {
  constructor(
    readonly reason: WebhookSignatureFailure,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}

export interface VerifyWebhookSignatureInput {
  /** The raw request body exactly as received: re-serialised JSON will not match. */
  payload: WebhookPayload;
  /** The `Facesearch-Signature` header value. */
  header: string | undefined | null;
  secret: string | Uint8Array;
  /** How far `t` may be from now, either way, in seconds (replay window). Default 300. */
  toleranceSeconds?: number;
  /** The current time (Date, or ms since the epoch like Date.now()). */
  now?: Date | number;
}

export interface SignWebhookPayloadInput {
  payload: WebhookPayload;
  secret: string | Uint8Array;
  /** Signing time (Date, or ms since the epoch). Default now. */
  now?: Date | number;
}

const MAX_HEADER_LENGTH = 4096;

const nowSeconds = (now: Date | number | undefined): number => Math.floor((now === undefined ? Date.now() : typeof now === 'number' ? now : now.getTime()) / 1000);

function digest(secret: string | Uint8Array, timestamp: number, payload: WebhookPayload): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(payload).digest();
}

/** The header value for a payload: what the service sends, and what tests use to fake a delivery. */
export function signWebhookPayload(input: SignWebhookPayloadInput): string {
  const t = nowSeconds(input.now);
  return `t=${t},v1=${digest(input.secret, t, input.payload).toString('hex')}`;
}

function parseHeader(header: string): { timestamp: number; signatures: Buffer[] } | undefined {
  if (header.length > MAX_HEADER_LENGTH) return undefined;
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      // Two timestamps would leave it open which one was signed.
      if (timestamp !== undefined || !/^\d{1,12}$/.test(value)) return undefined;
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-fA-F]{64}$/.test(value)) return undefined;
      signatures.push(Buffer.from(value, 'hex'));
    }
    // Other schemes (a future v2) are skipped, so adding one does not break this verifier.
  }
  if (timestamp === undefined || signatures.length === 0) return undefined;
  return { timestamp, signatures };
}

/**
 * Checks that a delivery comes from facesearch and is recent. Throws WebhookSignatureError when it
 * does not (answer the delivery with 400/401 then); returns the signed timestamp when it does.
 * The signature is checked before the time, so "outside tolerance" only ever describes a genuine,
 * old (replayed or long-delayed) delivery.
 */
export function verifyWebhookSignature(input: VerifyWebhookSignatureInput): { timestamp: number } {
  const tolerance = input.toleranceSeconds ?? 300;
  if (!Number.isFinite(tolerance) || tolerance < 0) throw new TypeError('toleranceSeconds must be a non-negative number');
  if (typeof input.secret === 'string' ? input.secret.length === 0 : input.secret.byteLength === 0) {
    throw new TypeError('secret must not be empty');
  }
  const parsed = typeof input.header === 'string' ? parseHeader(input.header) : undefined;
  if (!parsed) throw new WebhookSignatureError('malformed_header', `${WEBHOOK_SIGNATURE_HEADER} header is missing or malformed`);

  const expected = digest(input.secret, parsed.timestamp, input.payload);
  // timingSafeEqual over equal-length buffers (the header parser admits only 32-byte values).
  const matched = parsed.signatures.some((sig) => timingSafeEqual(sig, expected));
  if (!matched) throw new WebhookSignatureError('no_matching_signature', 'No signature matches the payload and secret');

  if (Math.abs(nowSeconds(input.now) - parsed.timestamp) > tolerance) {
    throw new WebhookSignatureError('timestamp_outside_tolerance', `The signature timestamp is more than ${tolerance} s from now`);
  }
  return { timestamp: parsed.timestamp };
}
