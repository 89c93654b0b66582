import { type TenantId } from '@app/contracts';
import { type WrappedKeyRecord, type WrappedKeyStore } from './wrapped-key-store';

/** WrappedKeyStore for tests, benches and single-process tools. Copies on the way in and out, like a database. */
export class InMemoryWrappedKeyStore implements WrappedKeyStore {
  private readonly rows = new Map<TenantId, Map<number, WrappedKeyRecord>>();

  async list(tenantId: TenantId): Promise<WrappedKeyRecord[]> {
    const versions = this.rows.get(tenantId);
    if (!versions) return [];
    return [...versions.values()].sort((a, b) => a.version - b.version).map(copy);
  }

  async get(tenantId: TenantId, version: number): Promise<WrappedKeyRecord | null> {
    const row = this.rows.get(tenantId)?.get(version);
    return row ? copy(row) : null;
  }

  async insertIfAbsent(record: WrappedKeyRecord): Promise<WrappedKeyRecord> {
    let versions = this.rows.get(record.tenantId);
    if (!versions) {
      versions = new Map();
      this.rows.set(record.tenantId, versions);
    }
    const existing = versions.get(record.version);
    if (existing) return copy(existing);
    versions.set(record.version, copy(record));
    return copy(record);
  }

  async destroy(tenantId: TenantId, version: number | undefined, at: Date): Promise<void> {
    const versions = this.rows.get(tenantId);
    if (!versions) return;
    for (const row of versions.values()) {
      if (version !== undefined && row.version !== version) continue;
      row.wrappedKey?.fill(0);
      versions.set(row.version, { ...row, wrappedKey: null, destroyedAt: row.destroyedAt ?? at });
    }
  }
}

function copy(row: WrappedKeyRecord): WrappedKeyRecord {
  return {
    ...row,
    wrappedKey: row.wrappedKey ? Buffer.from(row.wrappedKey) : null,
    createdAt: new Date(row.createdAt),
    destroyedAt: row.destroyedAt ? new Date(row.destroyedAt) : null,
  };
}
