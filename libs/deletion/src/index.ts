export { DeletionModule } from './deletion.module';
export { RequestTenantDeletion, PurgeTenant } from './delete-tenant.use-case';
export { GetDeletion, ListDeletions, type ReceiptReader } from './get-deletion.use-case';
export { DeletionError, DeletionErrorCode } from './deletion.error';
export { type ReceiptView } from './receipt.view';
