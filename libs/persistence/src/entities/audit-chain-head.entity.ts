import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The last link of each tenant's audit hash chain; its row lock serialises appends per tenant. */
@Entity({ name: 'audit_chain_heads' })
export class AuditChainHeadEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId: string;

  @Column('bigint')
  seq: string;

  @Column('text')
  hash: string;
}
