import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../http/pagination.dto';

export class AuditRangeQueryDto {
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsDateString() from?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsDateString() to?: string;
}

export class AuditListQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsDateString() from?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsDateString() to?: string;
  @ApiPropertyOptional({ example: 'api_key.created' }) @IsOptional() @IsString() @MaxLength(100) @Matches(/^[a-z_.]+$/) action?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() actorKeyId?: string;
}

export class AuditExportQueryDto extends AuditRangeQueryDto {
  @ApiPropertyOptional({ enum: ['jsonl', 'csv'], default: 'jsonl' }) @IsOptional() @IsIn(['jsonl', 'csv']) format?: 'jsonl' | 'csv';
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) @Matches(/^[a-z_.]+$/) action?: string;
}

export class AuditEventDto {
  @ApiProperty({ format: 'uuid' }) eventId: string;
  @ApiProperty() seq: number;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ format: 'uuid' }) tenantId: string;
  @ApiProperty({ type: 'object', properties: { type: { type: 'string', enum: ['apiKey', 'operator', 'system'] }, keyId: { type: 'string' }, role: { type: 'string' } } })
  actor: { type: string; keyId?: string; role?: string };
  @ApiProperty() action: string;
  @ApiProperty({ type: 'object', properties: { type: { type: 'string' }, id: { type: 'string', nullable: true } } }) target: { type: string; id: string | null };
  @ApiProperty({ enum: ['success', 'denied', 'error'] }) outcome: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) details: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String }) requestId: string | null;
  @ApiProperty() prevHash: string;
  @ApiProperty() hash: string;
}

export class AuditListDto {
  @ApiProperty({ type: [AuditEventDto] }) items: AuditEventDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class ChainVerificationDto {
  @ApiProperty() valid: boolean;
  @ApiProperty() events: number;
  @ApiProperty({ nullable: true, type: Number }) firstSeq: number | null;
  @ApiProperty({ nullable: true, type: Number }) lastSeq: number | null;
  @ApiProperty({ nullable: true, type: String }) head: string | null;
  @ApiPropertyOptional({ description: 'First sequence number that does not check out' }) brokenAtSeq?: number;
  @ApiPropertyOptional({ enum: ['hash_mismatch', 'broken_link', 'missing_event'] }) reason?: string;
}
