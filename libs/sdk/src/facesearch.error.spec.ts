import {
  createFacesearchError,
  FacesearchAuthenticationError,
  FacesearchConflictError,
  FacesearchError,
  FacesearchInternalError,
  FacesearchNotFoundError,
  FacesearchPermissionError,
  FacesearchRateLimitError,
  FacesearchTooLargeError,
  FacesearchUnavailableError,
  FacesearchUnprocessableError,
  FacesearchUnsupportedMediaError,
  FacesearchValidationError,
} from './facesearch.error';

const at = (status: number) => createFacesearchError({ status, problem: { title: 't', detail: 'd' }, method: 'GET', path: '/v1/x' });

describe('createFacesearchError', () => {
  it.each([
    [400, FacesearchValidationError, 'validation'],
    [401, FacesearchAuthenticationError, 'unauthenticated'],
    [403, FacesearchPermissionError, 'forbidden'],
    [404, FacesearchNotFoundError, 'not_found'],
    [409, FacesearchConflictError, 'conflict'],
    [413, FacesearchTooLargeError, 'too_large'],
    [415, FacesearchUnsupportedMediaError, 'unsupported'],
    [422, FacesearchUnprocessableError, 'unprocessable'],
    [429, FacesearchRateLimitError, 'rate_limited'],
    [503, FacesearchUnavailableError, 'unavailable'],
    [500, FacesearchInternalError, 'internal'],
    [502, FacesearchInternalError, 'internal'],
    [418, FacesearchError, 'http'],
  ])('%i → %p (%s)', (status, Ctor, kind) => {
    const err = at(status);
    expect(err).toBeInstanceOf(Ctor);
    expect(err).toBeInstanceOf(FacesearchError);
    expect(err).toBeInstanceOf(Error);
    expect(err.kind).toBe(kind);
    expect(err.status).toBe(status);
    expect(err.name).toBe(Ctor.name);
  });

  it('carries every problem+json field, and names the fields of a 400', () => {
    const err = createFacesearchError({
      status: 400,
      problem: {
        type: 'urn:facesearch:problem:validation_failed',
        title: 'Bad Request',
        status: 400,
        detail: 'Invalid request: name: name must be a string',
        code: 'validation_failed',
        errorId: '2b1c5c0e-0000-4000-8000-000000000000',
        requestId: 'req-1',
        errors: [{ field: 'name', messages: ['name must be a string'] }],
      },
      requestId: 'header-id',
      method: 'POST',
      path: '/v1/api-keys',
    });
    expect(err).toMatchObject({
      code: 'validation_failed',
      type: 'urn:facesearch:problem:validation_failed',
      title: 'Bad Request',
      detail: 'Invalid request: name: name must be a string',
      errorId: '2b1c5c0e-0000-4000-8000-000000000000',
      requestId: 'req-1',
      fieldErrors: [{ field: 'name', messages: ['name must be a string'] }],
      method: 'POST',
      path: '/v1/api-keys',
    });
    expect(err.message).toBe('POST /v1/api-keys → 400 Bad Request: Invalid request: name: name must be a string (errorId 2b1c5c0e-0000-4000-8000-000000000000)');
  });

  it('falls back sensibly when the body is not problem+json', () => {
    const err = createFacesearchError({ status: 503, problem: {}, requestId: 'from-header', retryAfterSeconds: 5, method: 'GET', path: '/v1/settings' });
    expect(err).toMatchObject({ title: 'HTTP 503', detail: 'HTTP 503', requestId: 'from-header', fieldErrors: [], retryAfterSeconds: 5, code: undefined });
  });

  it('counts the attempts of the call: 1 unless the transport says it retried', () => {
    expect(at(404).attempts).toBe(1);
    expect(createFacesearchError({ status: 404, problem: {}, method: 'DELETE', path: '/v1/faces/f1', attempts: 3 }).attempts).toBe(3);
  });
});
