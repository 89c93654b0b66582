export { DeletionModule } from './deletion.module';
export { RequestTenantDeletion, PurgeTenant } from './delete-tenant.use-case';
export { FaceDataDeletions, type DeletionCaller } from './delete-faces.use-case';
export { RequestFaceDataDeletion, PurgeFaceData, PURGE_BATCH } from './delete-face-data.use-case';
export { SweepRetention, ExpireFaces } from './expire-faces.use-case';
export { GetDeletion, ListDeletions, type ReceiptReader } from './get-deletion.use-case';
export { DeletionError, DeletionErrorCode } from './deletion.error';
export { type ReceiptView } from './receipt.view';
