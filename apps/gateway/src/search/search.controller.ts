import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post, Req, UploadedFile, UploadedFiles, UseInterceptors } from '@nestjs/common';
import { FileFieldsInterceptor, FileInterceptor } from '@nestjs/platform-express';
import { ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Role } from '@app/contracts';
import { type ApiKeyPrincipal, type AuthenticatedRequest, Roles, TenantCaller } from '@app/auth';
import { type QueryImage, SearchFacesByFace, SearchFacesByImage, VerifyFaces, type VerifySide } from '@app/search';
import { ApiAuthenticated, ApiNotFound } from '../http/api-responses.decorator';
import { callerContext } from '../http/caller-context';
import { GatewayError, GatewayErrorCode } from '../http/gateway.error';
import { type ImageSourceDto } from '../indexing/indexing.dto';
import { SearchByFaceResultDto, SearchByImageDto, SearchByImageResultDto, SearchOptionsDto, VerifyDto, VerifyResultDto, type VerifySideDto } from './search.dto';

interface UploadedImage {
  buffer: Buffer;
  size: number;
}

const invalid = (field: string, message: string) => new GatewayError(GatewayErrorCode.Validation, `Invalid request: ${field}: ${message}`, [{ field, messages: [message] }]);

function imageOf(field: string, file: UploadedImage | undefined, source: ImageSourceDto | undefined): QueryImage {
  const count = (file ? 1 : 0) + (source?.url ? 1 : 0) + (source?.s3 ? 1 : 0);
  if (count !== 1) throw invalid(field, 'send exactly one image: a multipart file, source.url or source.s3');
  if (file) return { kind: 'upload', bytes: file.buffer };
  if (source?.url) return { kind: 'url', url: source.url };
  return { kind: 's3', bucket: source!.s3!.bucket, key: source!.s3!.key, versionId: source!.s3!.versionId };
}

function sideOf(field: 'a' | 'b', file: UploadedImage | undefined, side: VerifySideDto | undefined): VerifySide {
  const given = (file || side?.source ? 1 : 0) + (side?.faceId ? 1 : 0) + (side?.personId ? 1 : 0);
  if (given !== 1) throw invalid(field, 'give exactly one of an image, source, faceId or personId');
  if (side?.faceId) return { kind: 'face', faceId: side.faceId.toLowerCase() };
  if (side?.personId) return { kind: 'person', personId: side.personId };
  return { kind: 'image', image: imageOf(field, file, side?.source) };
}

@ApiTags('search')
@ApiAuthenticated()
@Roles(Role.Integrator, Role.Admin)
@Controller('v1')
export class SearchController {
  constructor(
    private readonly byImage: SearchFacesByImage,
    private readonly byFace: SearchFacesByFace,
    private readonly verifyFaces: VerifyFaces,
  ) {}

  @Post('search/faces-by-image')
  @HttpCode(200)
  @UseInterceptors(FileInterceptor('image'))
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiOperation({ summary: 'Find where the people in an image appear', description: 'The image is analysed in memory and never stored. 422 `no_face` when it has no usable face.' })
  @ApiOkResponse({ type: SearchByImageResultDto })
  async searchByImage(@Body() body: SearchByImageDto, @UploadedFile() file: UploadedImage | undefined, @TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest): Promise<SearchByImageResultDto> {
    return this.byImage.execute(callerContext(caller, req), imageOf('image', file, body.source), {
      maxResults: body.maxResults ?? 20,
      threshold: body.threshold,
      maxQueryFaces: body.maxQueryFaces ?? 1,
    });
  }

  @Post('search/faces/:faceId')
  @HttpCode(200)
  @ApiOperation({ summary: 'Faces that look like a stored face (the face itself excluded)' })
  @ApiOkResponse({ type: SearchByFaceResultDto })
  @ApiNotFound('Face')
  searchByFace(@Param('faceId', new ParseUUIDPipe()) faceId: string, @Body() body: SearchOptionsDto, @TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest): Promise<SearchByFaceResultDto> {
    return this.byFace.execute(callerContext(caller, req), faceId.toLowerCase(), { maxResults: body.maxResults ?? 20, threshold: body.threshold });
  }

  @Post('verify')
  @HttpCode(200)
  @UseInterceptors(FileFieldsInterceptor([{ name: 'a', maxCount: 1 }, { name: 'b', maxCount: 1 }]))
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiOperation({ summary: 'Are two faces the same person?', description: 'Each side an image (`source`, or multipart files `a`/`b`: the largest face) or a stored `faceId`.' })
  @ApiOkResponse({ type: VerifyResultDto })
  verify(@Body() body: VerifyDto, @UploadedFiles() files: { a?: UploadedImage[]; b?: UploadedImage[] } | undefined, @TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest): Promise<VerifyResultDto> {
    const a = sideOf('a', files?.a?.[0], body.a);
    const b = sideOf('b', files?.b?.[0], body.b);
    return this.verifyFaces.execute(callerContext(caller, req), a, b, body.threshold);
  }
}
