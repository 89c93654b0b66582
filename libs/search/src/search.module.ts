import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { IndexingModule } from '@app/indexing';
import { SourcesModule } from '@app/sources';
import { MatchResolver } from './match-resolver';
import { QueryEmbedder } from './query-embedder';
import { SearchFacesByFace, SearchFacesByImage, ThresholdPolicy } from './search-faces.use-case';
import { VerifyFaces } from './verify-faces.use-case';

const USE_CASES = [SearchFacesByImage, SearchFacesByFace, VerifyFaces];

/** Needs the global Config, Persistence, Crypto and VectorClient modules of the app. */
@Module({
  imports: [AuditModule, IndexingModule, SourcesModule.forRoot()],
  providers: [...USE_CASES, QueryEmbedder, MatchResolver, ThresholdPolicy],
  exports: USE_CASES,
})
export class SearchModule {}
