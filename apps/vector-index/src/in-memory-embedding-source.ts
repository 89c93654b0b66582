import { type TenantId } from '@app/contracts';
import { type EmbeddingSource, type SourceEmbedding } from './embedding-source';

/** An EmbeddingSource in memory, for tests and the bench: insert() and delete() stand in for the database. */
export class InMemoryEmbeddingSource implements EmbeddingSource {
  private readonly rows = new Map<string, SourceEmbedding[]>();
  private seq = 0;
  /** streamSince calls made, for assertions. */
  readonly calls: { tenantId: string; afterSeq: number }[] = [];
  /** When set, streamSince and maxSeq reject with it (a database outage). */
  failWith?: Error;

  insert(tenantId: TenantId, faceId: string, vector: Float32Array): SourceEmbedding {
    const row = { faceId, seq: ++this.seq, vector };
    const list = this.rows.get(tenantId) ?? [];
    list.push(row);
    this.rows.set(tenantId, list);
    return row;
  }

  delete(tenantId: TenantId, faceIds: readonly string[]): void {
    const gone = new Set(faceIds);
    this.rows.set(tenantId, (this.rows.get(tenantId) ?? []).filter((r) => !gone.has(r.faceId)));
  }

  dropTenant(tenantId: TenantId): void {
    this.rows.delete(tenantId);
  }

  async *streamSince(tenantId: TenantId, afterSeq: bigint | number, batchSize: number): AsyncIterable<SourceEmbedding[]> {
    if (this.failWith) throw this.failWith;
    const after = Number(afterSeq);
    this.calls.push({ tenantId, afterSeq: after });
    const rows = (this.rows.get(tenantId) ?? []).filter((r) => r.seq > after);
    for (let i = 0; i < rows.length; i += batchSize) {
      await Promise.resolve();
      yield rows.slice(i, i + batchSize);
    }
  }

  async maxSeq(tenantId: TenantId): Promise<number> {
    if (this.failWith) throw this.failWith;
    return (this.rows.get(tenantId) ?? []).at(-1)?.seq ?? 0;
  }
}
