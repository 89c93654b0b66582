import { type ApiKeyId, type Role, type TenantId } from '@app/contracts';
import { type AuditDetails, type AuditOutcome } from '@app/persistence';

/** Who did it: an API key (with its role), the operator, or the system (retention, jobs). */
export type AuditActor =
  | { type: 'apiKey'; keyId: ApiKeyId; role: Role }
  | { type: 'operator' }
  | { type: 'system' };

/** Stable action names; auditors filter on them, so never rename one. */
export enum AuditAction {
  TenantCreated = 'tenant.created',
  TenantRead = 'tenant.read',
  ApiKeyCreated = 'api_key.created',
  ApiKeyRevoked = 'api_key.revoked',
  ApiKeysListed = 'api_key.listed',
  SettingsRead = 'settings.read',
  SettingsUpdated = 'settings.updated',
  AccessDenied = 'access.denied',
  DiagnosticsPing = 'diagnostics.ping',
  DataKeyRotationRequested = 'data_key.rotation_requested',
  DataKeyRotationCompleted = 'data_key.rotation_completed',
  TenantDeletionRequested = 'tenant.deletion_requested',
  TenantDeleted = 'tenant.deleted',
  DeletionRead = 'deletion.read',
  IndexRequested = 'asset.index_requested',
  AssetIndexed = 'asset.indexed',
  AssetIndexFailed = 'asset.index_failed',
  FacesRead = 'faces.read',
  JobRead = 'job.read',
  SearchByImage = 'search.faces_by_image',
  SearchByFace = 'search.faces_by_face',
  Verify = 'search.verify',
  AuditRead = 'audit.read',
  AuditExported = 'audit.exported',
  AuditVerified = 'audit.verified',
  FacesDeleted = 'faces.deleted',
  FaceDataDeletionRequested = 'face_data.deletion_requested',
  FaceDataDeleted = 'face_data.deleted',
  FacesExpired = 'faces.expired',
}

export interface AuditInput {
  actor: AuditActor;
  action: AuditAction;
  target: { type: string; id?: string | null };
  outcome?: AuditOutcome;
  details?: AuditDetails;
  requestId?: string | null;
}

/** The event as API.md shows it and as its hash is computed. */
export interface AuditEventView {
  eventId: string;
  seq: number;
  at: string;
  tenantId: TenantId;
  actor: { type: AuditActor['type']; keyId?: string; role?: string };
  action: string;
  target: { type: string; id: string | null };
  outcome: AuditOutcome;
  details: AuditDetails;
  requestId: string | null;
  prevHash: string;
  hash: string;
}
