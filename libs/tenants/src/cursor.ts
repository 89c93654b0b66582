import { isUuid } from '@app/contracts';
import { TenantsError, TenantsErrorCode } from './tenants.error';

interface KeysetCursor {
  t: string;
  id: string;
}

/** Opaque to clients (API.md): base64url of the last row's sort key. */
export function encodeCursor(c: KeysetCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(cursor: string): KeysetCursor {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<KeysetCursor>;
    if (typeof c.t === 'string' && !Number.isNaN(Date.parse(c.t)) && isUuid(c.id)) return { t: c.t, id: c.id };
  } catch {
    // not base64 JSON: reported below
  }
  throw new TenantsError(TenantsErrorCode.InvalidCursor, 'The cursor is not valid; pass back a nextCursor exactly as received.');
}
