import { Controller, Delete, HttpCode, Param, Query, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Role } from '@app/contracts';
import { type ApiKeyPrincipal, type AuthenticatedRequest, Roles, TenantCaller } from '@app/auth';
import { FaceDataDeletions, RequestFaceDataDeletion } from '@app/deletion';
import { ApiAuthenticated, ApiNotFound } from '../http/api-responses.decorator';
import { callerContext } from '../http/caller-context';
import { AssetIdParam } from '../indexing/indexing.dto';
import { DeletePersonQueryDto, FaceDataDeletionDto, ReceiptDto } from './deletions.dto';

const RECEIPT_DONE =
  'When this returns, the faces are gone from the database with their encrypted embeddings, no search can return them, and no index snapshot holds them; the receipt (also at GET /v1/deletions/{deletionId}) counts what went. If the vector index is down nothing is deleted (503): retry.';

/** The Face Data Delete API (API.md): HTTP only, the erasure is in @app/deletion. */
@ApiTags('deletion')
@ApiAuthenticated()
@Controller('v1')
export class FaceDataDeletionsController {
  constructor(
    private readonly deletions: FaceDataDeletions,
    private readonly requestFaceData: RequestFaceDataDeletion,
  ) {}

  @Delete('faces/:faceId')
  @Roles(Role.Integrator, Role.Admin)
  @ApiOperation({ summary: 'Delete one face', description: RECEIPT_DONE })
  @ApiOkResponse({ type: ReceiptDto })
  @ApiNotFound('Face')
  deleteFace(@Param('faceId') faceId: string, @TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest): Promise<ReceiptDto> {
    return this.deletions.deleteFace(callerContext(caller, req), faceId);
  }

  @Delete('assets/:assetId/faces')
  @Roles(Role.Integrator, Role.Admin)
  @ApiOperation({ summary: "Delete an asset's faces", description: `Also cancels the asset's pending index jobs (an indexing job already running writes nothing). ${RECEIPT_DONE}` })
  @ApiOkResponse({ type: ReceiptDto })
  @ApiNotFound('Asset')
  deleteAssetFaces(@Param() params: AssetIdParam, @TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest): Promise<ReceiptDto> {
    return this.deletions.deleteAssetFaces(callerContext(caller, req), params.assetId);
  }

  @Delete('persons/:personId')
  @Roles(Role.Admin)
  @ApiOperation({ summary: 'Delete a person', description: `With withFaces=true the person's faces are erased; without, they stay, unassigned. ${RECEIPT_DONE}` })
  @ApiOkResponse({ type: ReceiptDto })
  @ApiNotFound('Person')
  deletePerson(@Param('personId') personId: string, @Query() query: DeletePersonQueryDto, @TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest): Promise<ReceiptDto> {
    return this.deletions.deletePerson(callerContext(caller, req), personId, query.withFaces === true);
  }

  @Delete('face-data')
  @HttpCode(202)
  @Roles(Role.Admin)
  @ApiOperation({
    summary: 'Delete all face data of the tenant',
    description: 'Asynchronous: every face, encrypted embedding, index entry and snapshot of the tenant, and its open index jobs. The tenant, its keys and its audit log stay. Follow the receipt at GET /v1/deletions/{deletionId}.',
  })
  @ApiAcceptedResponse({ type: FaceDataDeletionDto })
  deleteFaceData(@TenantCaller() caller: ApiKeyPrincipal, @Req() req: AuthenticatedRequest): Promise<FaceDataDeletionDto> {
    return this.requestFaceData.execute(callerContext(caller, req));
  }
}
