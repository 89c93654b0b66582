import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Role } from '@app/contracts';
import { type ApiKeyPrincipal, type AuthenticatedRequest, Roles, TenantCaller } from '@app/auth';
import { GetIndexJob, type IndexImage, ListAssetFaces, ListFaces, RequestIndexing } from '@app/indexing';
import { ApiAuthenticated, ApiNotFound } from '../http/api-responses.decorator';
import { callerContext } from '../http/caller-context';
import { GatewayError, GatewayErrorCode } from '../http/gateway.error';
import { PaginationQueryDto } from '../http/pagination.dto';
import { AssetFacesDto, AssetIdParam, BatchIndexDto, BatchIndexResultDto, FaceListDto, IndexAssetDto, IndexJobDto } from './indexing.dto';

interface UploadedImage {
  buffer: Buffer;
  size: number;
}

function imageOf(file: UploadedImage | undefined, body: IndexAssetDto): IndexImage {
  const given = [file ? 'image' : null, body.source?.url ? 'source.url' : null, body.source?.s3 ? 'source.s3' : null].filter(Boolean);
  if (given.length !== 1) {
    throw new GatewayError(GatewayErrorCode.Validation, 'Send exactly one image: a multipart `image` file, `source.url` or `source.s3`.', [
      { field: 'image', messages: [given.length === 0 ? 'an image is required' : `only one of ${given.join(', ')} may be sent`] },
    ]);
  }
  if (file) {
    if (file.size === 0) throw new GatewayError(GatewayErrorCode.Validation, 'The image file is empty.', [{ field: 'image', messages: ['empty file'] }]);
    return { kind: 'upload', bytes: file.buffer };
  }
  if (body.source?.url) return { kind: 'url', url: body.source.url };
  const s3 = body.source!.s3!;
  return { kind: 's3', bucket: s3.bucket, key: s3.key, versionId: s3.versionId };
}

@ApiTags('indexing')
@ApiAuthenticated()
@Roles(Role.Integrator, Role.Admin)
@Controller('v1')
export class IndexingController {
  constructor(
    private readonly requestIndexing: RequestIndexing,
    private readonly getJob: GetIndexJob,
    private readonly assetFaces: ListAssetFaces,
    private readonly listFaces: ListFaces,
  ) {}

  @Post('assets/:assetId/index')
  @HttpCode(202)
  // Limits (bytes, one file) come from MulterModule in GatewayModule, from config.
  @UseInterceptors(FileInterceptor('image'))
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiBody({ type: IndexAssetDto, description: 'JSON with `source`, or multipart with an `image` file and the other fields as form fields' })
  @ApiOperation({ summary: 'Index (or re-index) an asset\'s faces', description: 'Asynchronous: 202 with the job. The same tenant, asset and image always give the same job.' })
  @ApiAcceptedResponse({ type: IndexJobDto })
  async index(
    @Param() params: AssetIdParam,
    @Body() body: IndexAssetDto,
    @UploadedFile() file: UploadedImage | undefined,
    @TenantCaller() caller: ApiKeyPrincipal,
    @Req() req: AuthenticatedRequest,
  ): Promise<IndexJobDto> {
    try {
      return await this.requestIndexing.execute(callerContext(caller, req), params.assetId, imageOf(file, body), {
        maxFaces: body.maxFaces,
        qualityFilter: body.qualityFilter,
        callbackUrl: body.callbackUrl,
        metadata: body.metadata,
      });
    } finally {
      // The upload is sealed in the transient store by now: drop the plaintext copy.
      file?.buffer.fill(0);
    }
  }

  @Post('index-jobs')
  @HttpCode(202)
  @ApiOperation({ summary: 'Index up to 1000 assets from URL or S3 sources', description: 'One job per item, in order; each behaves as POST /v1/assets/{assetId}/index.' })
  @ApiAcceptedResponse({ type: BatchIndexResultDto })
  async batch(@Body() body: BatchIndexDto, @TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest): Promise<BatchIndexResultDto> {
    const ctx = callerContext(caller, req);
    const images = body.items.map((item, i) => {
      if (!item.source?.url === !item.source?.s3) {
        throw new GatewayError(GatewayErrorCode.Validation, `items.${i}.source: give exactly one of url or s3`, [{ field: `items.${i}.source`, messages: ['give exactly one of url or s3'] }]);
      }
      return imageOf(undefined, item);
    });
    // A few at a time: each is a short transaction plus an enqueue.
    const jobs: IndexJobDto[] = new Array(body.items.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < body.items.length; i = next++) {
        const item = body.items[i];
        jobs[i] = await this.requestIndexing.execute(ctx, item.assetId, images[i], {
          maxFaces: item.maxFaces,
          qualityFilter: item.qualityFilter,
          callbackUrl: item.callbackUrl,
          metadata: item.metadata,
        });
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    return { jobs };
  }

  @Get('jobs/:jobId')
  @ApiOperation({ summary: 'An index job\'s state' })
  @ApiOkResponse({ type: IndexJobDto })
  @ApiNotFound('Job')
  job(@Param('jobId', new ParseUUIDPipe()) jobId: string, @TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest): Promise<IndexJobDto> {
    return this.getJob.execute(callerContext(caller, req), jobId);
  }

  @Get('assets/:assetId/faces')
  @ApiOperation({ summary: 'The faces of an asset' })
  @ApiOkResponse({ type: AssetFacesDto })
  @ApiNotFound('Asset')
  faces(@Param() params: AssetIdParam, @TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest): Promise<AssetFacesDto> {
    return this.assetFaces.execute(callerContext(caller, req), params.assetId);
  }

  @Get('faces')
  @ApiOperation({ summary: 'Every face of the tenant, paginated' })
  @ApiOkResponse({ type: FaceListDto })
  list(@Query() query: PaginationQueryDto, @TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest): Promise<FaceListDto> {
    return this.listFaces.execute(callerContext(caller, req), query.limit ?? 100, query.cursor);
  }
}
