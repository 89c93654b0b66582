import { createHmac } from 'node:crypto';
import { signWebhookPayload, verifyWebhookSignature, WebhookSignatureError, type WebhookSignatureFailure } from './webhook-signature';

const secret = 'whsec_0123456789abcdef';
const body = JSON.stringify({ jobId: 'f3b1c2d4-0000-4000-8000-000000000001', status: 'completed', facesIndexed: 2 });
const at = new Date('2026-03-01T12:00:00Z');

function failure(fn: () => unknown): WebhookSignatureFailure {
  try {
    fn();
  } catch (err) {
    if (err instanceof WebhookSignatureError) return err.reason;
    throw err;
  }
  throw new Error('expected verification to fail');
}

describe('webhook signatures', () => {
  it('signs HMAC-SHA256 over "t.body" as the contract says', () => {
    const header = signWebhookPayload({ payload: body, secret, now: at });
    const t = at.getTime() / 1000;
    const hex = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(header).toBe(`t=${t},v1=${hex}`);
  });

  it('accepts a valid signature, from a string or the raw bytes', () => {
    const header = signWebhookPayload({ payload: body, secret, now: at });
    expect(verifyWebhookSignature({ payload: body, header, secret, now: at })).toEqual({ timestamp: at.getTime() / 1000 });
    expect(verifyWebhookSignature({ payload: Buffer.from(body), header, secret, now: at.getTime() + 60_000 }).timestamp).toBe(at.getTime() / 1000);
  });

  it('rejects a tampered body', () => {
    const header = signWebhookPayload({ payload: body, secret, now: at });
    expect(failure(() => verifyWebhookSignature({ payload: body.replace('2', '3'), header, secret, now: at }))).toBe('no_matching_signature');
    // Re-serialised JSON is a different byte string, even with the same meaning.
    expect(failure(() => verifyWebhookSignature({ payload: JSON.stringify(JSON.parse(body), null, 1), header, secret, now: at }))).toBe('no_matching_signature');
  });

  it('rejects a tampered timestamp (it is part of what is signed)', () => {
    const header = signWebhookPayload({ payload: body, secret, now: at }).replace(/^t=(\d+)/, (_, t: string) => `t=${Number(t) + 1}`);
    expect(failure(() => verifyWebhookSignature({ payload: body, header, secret, now: at }))).toBe('no_matching_signature');
  });

  it('rejects the wrong secret', () => {
    const header = signWebhookPayload({ payload: body, secret: 'another-secret-of-16', now: at });
    expect(failure(() => verifyWebhookSignature({ payload: body, header, secret, now: at }))).toBe('no_matching_signature');
  });

  it('rejects an old (replayed) or far-future delivery outside the tolerance', () => {
    const header = signWebhookPayload({ payload: body, secret, now: at });
    const later = (s: number) => at.getTime() + s * 1000;
    expect(verifyWebhookSignature({ payload: body, header, secret, now: later(300) })).toBeDefined();
    expect(failure(() => verifyWebhookSignature({ payload: body, header, secret, now: later(301) }))).toBe('timestamp_outside_tolerance');
    expect(failure(() => verifyWebhookSignature({ payload: body, header, secret, now: later(-301) }))).toBe('timestamp_outside_tolerance');
    expect(verifyWebhookSignature({ payload: body, header, secret, now: later(3600), toleranceSeconds: 3600 })).toBeDefined();
  });

  it('accepts any one of several v1 values (secret rotation) and skips unknown schemes', () => {
    const good = signWebhookPayload({ payload: body, secret, now: at });
    const old = signWebhookPayload({ payload: body, secret: 'the-previous-secret!', now: at });
    const t = good.split(',')[0];
    const header = `${t}, v1=${old.split('v1=')[1]}, v0=whatever, v1=${good.split('v1=')[1]}`;
    expect(verifyWebhookSignature({ payload: body, header, secret, now: at })).toBeDefined();
  });

  it('rejects missing and malformed headers without throwing anything else', () => {
    const hex = 'a'.repeat(64);
    for (const header of [undefined, null, '', 'garbage', `v1=${hex}`, 't=1772366400', `t=abc,v1=${hex}`, `t=1,t=2,v1=${hex}`, 't=1772366400,v1=zz', `t=1772366400,v1=${hex.slice(2)}`, `t=1,v1=${'a'.repeat(5000)}`]) {
      expect(failure(() => verifyWebhookSignature({ payload: body, header, secret, now: at }))).toBe('malformed_header');
    }
  });

  it('refuses an empty secret outright (an HMAC with no key proves nothing)', () => {
    expect(() => verifyWebhookSignature({ payload: body, header: `t=1,v1=${'a'.repeat(64)}`, secret: '' })).toThrow(TypeError);
  });
});
