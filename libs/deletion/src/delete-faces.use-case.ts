import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError, type ApiKeyId, isUuid, type Role, type TenantId } from '@app/contracts';
import { type AuditActor, AuditAction } from '@app/audit';
import { DeletionRepository, type DeletionScope, FaceErasureRepository, FaceRepository, type FaceSelector, TenantDb, type TenantTx } from '@app/persistence';
import { DeletionError, DeletionErrorCode } from './deletion.error';
import { FaceEraser } from './face-eraser.service';
import { toReceiptView, type ReceiptView } from './receipt.view';

export interface DeletionCaller {
  tenantId: TenantId;
  keyId: ApiKeyId;
  role: Role;
  requestId: string | null;
}

/**
 * The synchronous scopes of the Face Data Delete API: when these resolve, the faces are gone from
 * Postgres, mark-deleted in the index, out of every snapshot, and the receipt says so (200). If the
 * vector index is unreachable nothing is deleted: the receipt is kept as `failed` and the error (503)
 * tells the caller to retry.
 */
@Injectable()
export class FaceDataDeletions {
  constructor(
    private readonly db: TenantDb,
    private readonly deletions: DeletionRepository,
    private readonly erasure: FaceErasureRepository,
    private readonly faces: FaceRepository,
    private readonly eraser: FaceEraser,
  ) {}

  /** DELETE /v1/faces/{faceId} */
  deleteFace(caller: DeletionCaller, faceId: string): Promise<ReceiptView> {
    const id = faceId.toLowerCase();
    return this.run(caller, 'face', id, { kind: 'face', faceId: id }, async (tx) => isUuid(id) && (await this.erasure.faceExists(tx, id)), 'No face with this id.');
  }

  /** DELETE /v1/assets/{assetId}/faces: also cancels the asset's pending index jobs. */
  deleteAssetFaces(caller: DeletionCaller, assetId: string): Promise<ReceiptView> {
    return this.run(caller, 'asset', assetId, { kind: 'asset', assetId }, (tx) => this.faces.assetExists(tx, assetId), 'No asset with this id.');
  }

  /**
   * DELETE /v1/persons/{personId}: with `withFaces` the person's faces are erased; without, they stay,
   * unassigned. Persons exist through their faces until the persons API records them on their own.
   */
  async deletePerson(caller: DeletionCaller, personId: string, withFaces: boolean): Promise<ReceiptView> {
    const id = personId.toLowerCase();
    const exists = async (tx: TenantTx) => isUuid(id) && (await this.erasure.personHasFaces(tx, id));
    if (withFaces) return this.run(caller, 'person', id, { kind: 'person', personId: id }, exists, 'No person with this id.');
    const deletionId = randomUUID();
    const record = await this.db.run(caller.tenantId, async (tx) => {
      if (!(await exists(tx))) throw new DeletionError(DeletionErrorCode.PersonNotFound, 'No person with this id.');
      const now = new Date();
      await this.deletions.insert(tx, { id: deletionId, scopeType: 'person', scopeId: id, requestedAt: now, requestedBy: requester(caller) });
      const unassigned = await this.erasure.unassignPerson(tx, id);
      const counts = { faces: 0, embeddings: 0, indexEntries: 0, snapshotsRewritten: 0, jobsCancelled: 0, facesUnassigned: unassigned };
      await this.deletions.complete(tx, deletionId, { status: 'completed', counts, verified: { searchable: 0, checked: 0 }, at: now });
      return this.deletions.get(tx, deletionId);
    });
    return toReceiptView(record!);
  }

  private async run(
    caller: DeletionCaller,
    scope: DeletionScope,
    scopeId: string,
    selector: FaceSelector,
    exists: (tx: TenantTx) => Promise<boolean>,
    notFound: string,
  ): Promise<ReceiptView> {
    const deletionId = randomUUID();
    await this.db.run(caller.tenantId, async (tx) => {
      if (!(await exists(tx))) throw new DeletionError(notFoundCode(scope), notFound);
      await this.deletions.insert(tx, { id: deletionId, scopeType: scope, scopeId, requestedAt: new Date(), requestedBy: requester(caller) });
    });
    const actor: AuditActor = { type: 'apiKey', keyId: caller.keyId, role: caller.role };
    try {
      await this.eraser.eraseBatch({
        tenantId: caller.tenantId,
        deletionId,
        selector,
        actor,
        requestId: caller.requestId,
        assets: 'selected',
        auditAction: AuditAction.FacesDeleted,
        auditTarget: { type: scope, id: scopeId },
      });
    } catch (err) {
      const code = err instanceof AppError ? err.code : 'internal_error';
      await this.db.run(caller.tenantId, (tx) =>
        this.deletions.complete(tx, deletionId, { status: 'failed', counts: {}, verified: {}, error: `${code}: nothing was deleted`, at: new Date() }),
      );
      throw err;
    }
    const record = await this.db.run(caller.tenantId, async (tx) => {
      const progress = await this.deletions.get(tx, deletionId);
      await this.deletions.complete(tx, deletionId, { status: 'completed', counts: progress!.counts, verified: progress!.verified, at: new Date() });
      return this.deletions.get(tx, deletionId);
    });
    return toReceiptView(record!);
  }
}

const requester = (c: DeletionCaller) => ({ type: 'apiKey', keyId: c.keyId, role: c.role });

function notFoundCode(scope: DeletionScope): DeletionErrorCode {
  return scope === 'face' ? DeletionErrorCode.FaceNotFound : scope === 'asset' ? DeletionErrorCode.AssetNotFound : DeletionErrorCode.PersonNotFound;
}
