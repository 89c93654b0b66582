import { ApiProperty } from '@nestjs/swagger';

class ReceiptScopeDto {
  @ApiProperty({ enum: ['face', 'asset', 'person', 'faceData', 'tenant'] }) type: string;
  @ApiProperty({ nullable: true, type: String }) id: string | null;
}

class ReceiptCountsDto {
  @ApiProperty() faces: number;
  @ApiProperty() embeddings: number;
  @ApiProperty() indexEntries: number;
  @ApiProperty() snapshotsRewritten: number;
  @ApiProperty() jobsCancelled: number;
}

class ReceiptVerifiedDto {
  @ApiProperty({ nullable: true, type: Number, description: 'Deleted faces still findable after the deletion (0), or null while pending' })
  searchable: number | null;
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
