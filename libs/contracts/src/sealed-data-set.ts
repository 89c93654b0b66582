import { type TenantId } from './ids';

/**
 * Something stored sealed under a tenant's data key (embeddings, index snapshots). Key rotation asks
 * every registered set to re-seal what is still under an older version before that version is destroyed.
 * Adapters register themselves with the SEALED_DATA_SETS multi-provider token.
 */
export interface SealedDataSet {
  readonly name: string;
  /**
   * Re-seals up to `batchSize` items still sealed under a version below `version`; returns how many it
   * re-sealed (0 when none are left). Each batch commits on its own, so reads keep working throughout.
   */
  reencryptBatch(tenantId: TenantId, version: number, batchSize: number): Promise<number>;
}

export const SEALED_DATA_SETS = Symbol('SEALED_DATA_SETS');
