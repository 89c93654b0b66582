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

  @Column('text', { name: 'webhook_secret', nullable: true })
  webhookSecret: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
