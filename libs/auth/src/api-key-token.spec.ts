import { constantTimeEquals, hashSecret, issueApiKey, parseApiKey, secretMatches } from './api-key-token';

describe('API key tokens', () => {
  it('issues fsk_<prefix>_<secret> keys that parse back and match their stored hash', () => {
    const key = issueApiKey();
    expect(key.token).toMatch(/^fsk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseApiKey(key.token);
    expect(parsed?.prefix).toBe(key.prefix);
    expect(secretMatches(parsed!.secret, key.secretHash)).toBe(true);
    expect(key.secretHash.equals(hashSecret(parsed!.secret))).toBe(true);
  });

  it('never stores the secret: the hash does not contain it', () => {
    const key = issueApiKey();
    const secret = parseApiKey(key.token)!.secret;
    expect(key.secretHash.toString('utf8')).not.toContain(secret);
    expect(key.secretHash.toString('base64url')).not.toBe(secret);
  });

  it('rejects a wrong secret with the right prefix', () => {
    const a = issueApiKey();
    const b = issueApiKey();
    expect(secretMatches(parseApiKey(b.token)!.secret, a.secretHash)).toBe(false);
  });

  it.each(['', 'fsk_', 'fsk_abc_def', 'Bearer x', 'fsk_ABCDEFGHIJKL_' + 'a'.repeat(43), 'fsk_abcdefghijkl_' + 'a'.repeat(42)])(
    'refuses the malformed key %p',
    (token) => expect(parseApiKey(token)).toBeNull(),
  );

  it('compares operator tokens exactly', () => {
    expect(constantTimeEquals('abc', 'abc')).toBe(true);
    expect(constantTimeEquals('abc', 'abd')).toBe(false);
    expect(constantTimeEquals('abc', 'abcd')).toBe(false);
  });
});
