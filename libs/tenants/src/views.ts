import { type Role } from '@app/contracts';
import { type ApiKeyEntity, type QualityFilter, type TenantEntity, type TenantCounts } from '@app/persistence';

/** Response shapes: entities never leave this lib. */
export interface TenantView {
  tenantId: string;
  name: string;
  retentionDays: number;
  kmsKeyId: string | null;
  createdAt: string;
  counts: TenantCounts;
}

export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface SettingsView {
  retentionDays: number;
  matchThreshold: number;
  minFaceSize: number;
  maxFacesPerImage: number;
  qualityFilter: QualityFilter;
  webhookSecretSet: boolean;
}

export const toTenantView = (t: TenantEntity, counts: TenantCounts): TenantView => ({
  tenantId: t.id,
  name: t.name,
  retentionDays: t.retentionDays,
  kmsKeyId: t.kmsKeyId,
  createdAt: t.createdAt.toISOString(),
  counts,
});

export const toApiKeyView = (k: ApiKeyEntity): ApiKeyView => ({
  id: k.id,
  name: k.name,
  role: k.role,
  prefix: k.prefix,
  createdAt: k.createdAt.toISOString(),
  revokedAt: k.revokedAt ? k.revokedAt.toISOString() : null,
});

export const toSettingsView = (t: TenantEntity): SettingsView => ({
  retentionDays: t.retentionDays,
  matchThreshold: t.matchThreshold,
  minFaceSize: t.minFaceSize,
  maxFacesPerImage: t.maxFacesPerImage,
  qualityFilter: t.qualityFilter,
  webhookSecretSet: t.webhookSecretSealed !== null,
});
