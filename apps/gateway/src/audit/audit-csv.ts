import { type AuditEventView } from '@app/audit';

export const AUDIT_CSV_HEADER = 'eventId,seq,at,tenantId,actorType,actorKeyId,actorRole,action,targetType,targetId,outcome,details,requestId,prevHash,hash\n';

/** RFC 4180 quoting; a leading =,+,-,@ is prefixed with ' so spreadsheets do not run it as a formula. */
const cell = (v: unknown): string => {
  let s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  if (/^[=+\-@]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function auditCsvRow(e: AuditEventView): string {
  return (
    [e.eventId, e.seq, e.at, e.tenantId, e.actor.type, e.actor.keyId, e.actor.role, e.action, e.target.type, e.target.id, e.outcome, e.details, e.requestId, e.prevHash, e.hash]
      .map(cell)
      .join(',') + '\n'
  );
}
