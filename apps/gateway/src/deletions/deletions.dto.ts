import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';

class ReceiptScopeDto {
  @ApiProperty({ enum: ['face', 'asset', 'person', 'faceData', 'retention', 'tenant'] }) type: string;
  @ApiProperty({ nullable: true, type: String }) id: string | null;
}

class ReceiptCountsDto {
  @ApiProperty() faces: number;
  @ApiProperty() embeddings: number;
  @ApiProperty() indexEntries: number;
  @ApiProperty() snapshotsRewritten: number;
  @ApiProperty() jobsCancelled: number;
  @ApiPropertyOptional({ description: 'Sealed uploads of cancelled index jobs deleted' }) transientUploads?: number;
  @ApiPropertyOptional({ description: 'Faces left unassigned (person deletion without faces)' }) facesUnassigned?: number;
}

class ReceiptVerifiedDto {
  @ApiProperty({ nullable: true, type: Number, description: 'Deleted faces still findable after the deletion (0), or null while pending' })
  searchable: number | null;
  @ApiProperty({ description: 'How many of the deleted embeddings were searched for in the index after the deletion (all, for face, asset and person scopes)' })
  checked: number;
}

export class ReceiptDto {
  @ApiProperty({ format: 'uuid' }) deletionId: string;
  @ApiProperty({ type: ReceiptScopeDto }) scope: ReceiptScopeDto;
  @ApiProperty({ enum: ['pending', 'completed', 'failed'] }) status: 'pending' | 'completed' | 'failed';
  @ApiProperty({ format: 'date-time' }) requestedAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) completedAt: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { type: 'apiKey', keyId: '…' } }) requestedBy: Record<string, string>;
  @ApiProperty({ type: ReceiptCountsDto }) counts: ReceiptCountsDto;
  @ApiProperty({ type: ReceiptVerifiedDto }) verified: ReceiptVerifiedDto;
}

export class ReceiptListDto {
  @ApiProperty({ type: [ReceiptDto] }) items: ReceiptDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class FaceDataDeletionDto {
  @ApiProperty({ format: 'uuid' }) deletionId: string;
}

export class DeletePersonQueryDto {
  @ApiPropertyOptional({ description: 'Also erase the person\'s faces (otherwise they stay, unassigned)', default: false })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  withFaces?: boolean;
}
