import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type QueryRunner } from 'typeorm';
import { isUuid, type TenantId } from '@app/contracts';
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
    // A literal in SQL below: only a UUID may get there (TenantId is one by construction; checked anyway).
    if (!isUuid(tenantId)) throw new TypeError('tenantId must be a UUID');
    return this.transaction(`SELECT set_config('app.tenant_id', '${tenantId}', true)`, (manager) => work({ tenantId, manager }));
  }

  async runAsOperator<T>(work: (tx: OperatorTx) => Promise<T>): Promise<T> {
    return this.transaction(`SELECT set_config('app.operator', 'on', true)`, (manager) => work({ operator: true, manager }));
  }

  /**
   * A transaction whose first statement (the RLS scope) goes in the same round trip as its START:
   * two statements in one simple-protocol query, where TypeORM's transaction() takes one round trip
   * for START TRANSACTION and another for the scope (of ~8 per indexed photo, on every transaction).
   * TypeORM is told a transaction is open (as its own startTransaction() leaves it), so its builders
   * add none and a nested manager.transaction() becomes a savepoint.
   */
  private async transaction<T>(scope: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
    try {
      await runner.query(`START TRANSACTION; ${scope}`);
      state.isTransactionActive = true;
      state.transactionDepth = 1;
      const result = await work(runner.manager);
      await runner.query('COMMIT');
      return result;
    } catch (err) {
      await rollback(runner);
      throw translateDbError(err);
    } finally {
      state.isTransactionActive = false;
      state.transactionDepth = 0;
      await runner.release();
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

/**
 * Rolls back (a warning only when no transaction is open). A connection that cannot is closed, so the
 * pool never hands out a connection still inside a transaction, with another tenant's scope set.
 */
async function rollback(runner: QueryRunner): Promise<void> {
  try {
    await runner.query('ROLLBACK');
  } catch {
    const client = (await runner.connect().catch(() => undefined)) as { end?: () => Promise<void> } | undefined;
    await client?.end?.().catch(() => undefined);
  }
}
