import { ErrorKind } from '@app/contracts';
import { CryptoError, CryptoErrorCode } from './crypto.error';
import { mapKmsError } from './kms-error.mapper';

const sdkError = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${name} with secret detail`), { name, ...extra });

describe('mapKmsError', () => {
  it.each([
    ['InvalidCiphertextException', CryptoErrorCode.DecryptFailed, ErrorKind.Internal],
    ['IncorrectKeyException', CryptoErrorCode.DecryptFailed, ErrorKind.Internal],
    ['KMSInvalidStateException', CryptoErrorCode.KeyDestroyed, ErrorKind.Internal],
    ['NotFoundException', CryptoErrorCode.KeyDestroyed, ErrorKind.Internal],
    ['ThrottlingException', CryptoErrorCode.KmsUnavailable, ErrorKind.Unavailable],
    ['KMSInternalException', CryptoErrorCode.KmsUnavailable, ErrorKind.Unavailable],
    ['DependencyTimeoutException', CryptoErrorCode.KmsUnavailable, ErrorKind.Unavailable],
    ['DisabledException', CryptoErrorCode.KmsUnavailable, ErrorKind.Unavailable],
    ['AccessDeniedException', CryptoErrorCode.KmsUnavailable, ErrorKind.Unavailable],
    ['TimeoutError', CryptoErrorCode.KmsUnavailable, ErrorKind.Unavailable],
  ])('%s → %s', (name, code, kind) => {
    const cause = sdkError(name);
    const mapped = mapKmsError(cause, 'unwrap a data key');
    expect(mapped).toBeInstanceOf(CryptoError);
    expect(mapped.code).toBe(code);
    expect(mapped.kind).toBe(kind);
    expect(mapped.cause).toBe(cause);
    expect(mapped.detail).not.toContain('secret detail');
  });

  it('maps socket errors (no HTTP response) to kms_unavailable with a Retry-After', () => {
    const mapped = mapKmsError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'x');
    expect(mapped.code).toBe(CryptoErrorCode.KmsUnavailable);
    expect(mapped.retryAfterSeconds).toBe(5);
  });

  it('passes CryptoErrors through', () => {
    const original = new CryptoError(CryptoErrorCode.KeyDestroyed, 'gone');
    expect(mapKmsError(original, 'x')).toBe(original);
  });
});
