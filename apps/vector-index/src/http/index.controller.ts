import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { TenantId } from '@app/contracts';
import { decodeVector } from '@app/vector-client';
import { TenantIndexService } from '../tenants/tenant-index.service';
import { IndexServiceError, IndexServiceErrorCode } from '../vector-index.error';
import { AddFacesDto, RemoveFacesDto, SearchDto } from './index-requests.dto';

/** base64 of Float32 little-endian bytes (the client's wire format) → Float32Array. */
function wireVector(text: string) {
  const vector = decodeVector(text);
  if (!vector || vector.length === 0) throw new IndexServiceError(IndexServiceErrorCode.InvalidVector, 'a vector must be base64 of whole Float32 values');
  return vector;
}

function tenant(raw: string): TenantId {
  try {
    return TenantId.parse(raw);
  } catch {
    throw new IndexServiceError(IndexServiceErrorCode.InvalidRequest, 'tenantId must be a UUID');
  }
}

/**
 * The internal API the gateway and the indexer call through @app/vector-client (not public: bind the
 * service to a private interface). Vectors are base64 of Float32 little-endian bytes.
 */
@Controller('v1/tenants/:tenantId')
export class IndexController {
  constructor(private readonly index: TenantIndexService) {}

  @Post('faces')
  @HttpCode(200)
  add(@Param('tenantId') tenantId: string, @Body() body: AddFacesDto) {
    const entries = body.entries.map((e) => ({ faceId: e.faceId, vector: wireVector(e.vector), seq: e.seq }));
    return this.index.add(tenant(tenantId), entries);
  }

  @Post('faces/remove')
  @HttpCode(200)
  remove(@Param('tenantId') tenantId: string, @Body() body: RemoveFacesDto) {
    return this.index.remove(tenant(tenantId), body.faceIds, { purgeSnapshots: body.purgeSnapshots === true });
  }

  @Post('search')
  @HttpCode(200)
  async search(@Param('tenantId') tenantId: string, @Body() body: SearchDto) {
    return { hits: await this.index.search(tenant(tenantId), wireVector(body.vector), body.k, body.minSimilarity ?? 0) };
  }

  @Get('stats')
  stats(@Param('tenantId') tenantId: string) {
    return this.index.refreshStats(tenant(tenantId));
  }

  @Delete()
  drop(@Param('tenantId') tenantId: string) {
    return this.index.dropTenant(tenant(tenantId));
  }

  @Post('snapshot')
  @HttpCode(200)
  snapshot(@Param('tenantId') tenantId: string) {
    return this.index.snapshotNow(tenant(tenantId));
  }

  @Post('compact')
  @HttpCode(200)
  compact(@Param('tenantId') tenantId: string) {
    return this.index.compact(tenant(tenantId));
  }
}
