import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type QualityFilter = 'none' | 'low' | 'medium' | 'high';

@Entity({ name: 'tenants' })
export class TenantEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  @Column('text', { name: 'kms_key_id', nullable: true })
  kmsKeyId: string | null;

  @Column('int', { name: 'retention_days' })
  retentionDays: number;

  @Column('real', { name: 'match_threshold' })
  matchThreshold: number;

  @Column('int', { name: 'min_face_size' })
  minFaceSize: number;

  @Column('int', { name: 'max_faces_per_image' })
  maxFacesPerImage: number;

  @Column('text', { name: 'quality_filter' })
  qualityFilter: QualityFilter;

  /**
   * The webhook secret sealed under the tenant's data key (libs/crypto secret blob, purpose
   * 'webhook-secret'); opened only to sign a callback. The legacy plaintext column `webhook_secret` is
   * deliberately not mapped: only TenantSecretsSealedSet reads it, to seal and clear it (migration 1764000000005).
   */
  @Column('bytea', { name: 'webhook_secret_sealed', nullable: true })
  webhookSecretSealed: Buffer | null;

  /** The data-key version `webhookSecretSealed` is sealed under (mirrors its header, for the rotation). */
  @Column('int', { name: 'webhook_secret_key_version', nullable: true })
  webhookSecretKeyVersion: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
