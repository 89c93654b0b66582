import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import { type Role } from '@app/contracts';

@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId: string;

  @Column('text')
  name: string;

  @Column('text')
  role: Role;

  /** Public lookup handle (the part between `fsk_` and the secret). */
  @Column('text', { unique: true })
  prefix: string;

  /** SHA-256 of the secret: the secret itself is shown once and never stored. */
  @Column('bytea', { name: 'secret_hash' })
  secretHash: Buffer;

  @Column('text', { name: 'created_by' })
  createdBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;
}
