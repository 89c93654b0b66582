import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { SourcesModule } from '@app/sources';
import { DeliverWebhook } from './deliver-webhook.use-case';
import { FaceEngineProvider } from './face-engine.provider';
import { IndexAsset } from './index-asset.use-case';
import { GetIndexJob, ListAssetFaces, ListFaces } from './read-faces.use-case';
import { RequestIndexing } from './request-indexing.use-case';
import { TransientUploadStore } from './transient-upload.store';

const USE_CASES = [RequestIndexing, IndexAsset, GetIndexJob, ListAssetFaces, ListFaces, DeliverWebhook];

/** Needs the global Config, Persistence, Crypto, Storage and Queue modules of the app. */
@Module({
  imports: [AuditModule, SourcesModule.forRoot()],
  providers: [...USE_CASES, TransientUploadStore, FaceEngineProvider],
  exports: [...USE_CASES, FaceEngineProvider, TransientUploadStore],
})
export class IndexingModule {}
