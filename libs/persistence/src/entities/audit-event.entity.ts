import { Column, Entity, PrimaryColumn } from 'typeorm';

export type AuditActorType = 'apiKey' | 'operator' | 'system';
export type AuditOutcome = 'success' | 'denied' | 'error';
/** Counts, hashes and durations only: never images, embeddings, key material or secrets. */
export type AuditDetails = Record<string, string | number | boolean | null>;

/** Append-only: the app role may INSERT and SELECT, never UPDATE or DELETE (see the migration). */
@Entity({ name: 'audit_events' })
export class AuditEventEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId: string;

  /** bigint comes back from pg as a string; the repository converts it. */
  @Column('bigint')
  seq: string;

  @Column('timestamptz')
  at: Date;

  @Column('text', { name: 'actor_type' })
  actorType: AuditActorType;

  @Column('uuid', { name: 'actor_key_id', nullable: true })
  actorKeyId: string | null;

  @Column('text', { name: 'actor_role', nullable: true })
  actorRole: string | null;

  @Column('text')
  action: string;

  @Column('text', { name: 'target_type' })
  targetType: string;

  @Column('text', { name: 'target_id', nullable: true })
  targetId: string | null;

  @Column('text')
  outcome: AuditOutcome;

  @Column('jsonb')
  details: AuditDetails;

  @Column('text', { name: 'request_id', nullable: true })
  requestId: string | null;

  @Column('text', { name: 'prev_hash' })
  prevHash: string;

  @Column('text')
  hash: string;
}
