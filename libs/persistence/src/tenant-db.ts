import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { type TenantId } from '@app/contracts';
import { translateDbError } from './persistence.error';

/**
 * A transaction bound to one tenant: Postgres sees `app.tenant_id` for its whole life, so RLS
 * confines every statement in it. Only TenantDb creates these, so holding one proves the scope.
 */
export interface TenantTx {
  readonly tenantId: TenantId;
  readonly manager: EntityManager;
}

/** A transaction of the operator (tenant management across tenants). */
export interface OperatorTx {
  readonly operator: true;
  readonly manager: EntityManager;
}

@Injectable()
export class TenantDb {
  constructor(private readonly dataSource: DataSource) {}

  async run<T>(tenantId: TenantId, work: (tx: TenantTx) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        await manager.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
        return work({ tenantId, manager });
      });
    } catch (err) {
      throw translateDbError(err);
    }
  }

  async runAsOperator<T>(work: (tx: OperatorTx) => Promise<T>): Promise<T> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        await manager.query(`SELECT set_config('app.operator', 'on', true)`);
        return work({ operator: true, manager });
      });
    } catch (err) {
      throw translateDbError(err);
    }
  }

  /** Statements that need no tenant (health checks, key lookup through its SECURITY DEFINER function). */
  async query<T = unknown>(sql: string, params: unknown[] = []): Promise<T[]> {
    try {
      return (await this.dataSource.query(sql, params)) as T[];
    } catch (err) {
      throw translateDbError(err);
    }
  }
}
