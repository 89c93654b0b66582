import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { IndexingModule } from '@app/indexing';
import { PurgeFaceData, RequestFaceDataDeletion } from './delete-face-data.use-case';
import { FaceDataDeletions } from './delete-faces.use-case';
import { PurgeTenant, RequestTenantDeletion } from './delete-tenant.use-case';
import { ExpireFaces, SweepRetention } from './expire-faces.use-case';
import { FaceEraser } from './face-eraser.service';
import { GetDeletion, ListDeletions } from './get-deletion.use-case';

const USE_CASES = [RequestTenantDeletion, PurgeTenant, GetDeletion, ListDeletions, FaceDataDeletions, RequestFaceDataDeletion, PurgeFaceData, SweepRetention, ExpireFaces];

/** Needs the global Config, Persistence, Crypto, Storage, Queue and VectorClient modules of the app. */
@Module({ imports: [AuditModule, IndexingModule], providers: [...USE_CASES, FaceEraser], exports: USE_CASES })
export class DeletionModule {}
