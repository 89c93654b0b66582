import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';

export class CreateTenantDto {
  @ApiProperty({ minLength: 1, maxLength: 200, example: 'Acme Photo Library' })
  @IsString() @MinLength(1) @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 3650, default: 90, description: 'Days face data is kept' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(3650)
  retentionDays?: number;

  @ApiPropertyOptional({ description: 'Bring your own AWS KMS key (key id, ARN or alias) for this tenant\'s data keys' })
  @IsOptional() @IsString() @MaxLength(2048) @Matches(/^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+|alias\/[A-Za-z0-9/_-]+|[0-9a-fA-F-]{36}|mrk-[0-9a-f]{32})$/, {
    message: 'kmsKeyId must be a KMS key id, key ARN or alias',
  })
  kmsKeyId?: string;
}

export class TenantCreatedDto {
  @ApiProperty({ format: 'uuid' }) tenantId: string;
  @ApiProperty({ description: 'The tenant\'s first admin key. Shown once: store it now.', example: 'fsk_ab12cd34ef56_…' })
  adminApiKey: string;
}

export class TenantCountsDto {
  @ApiProperty() activeApiKeys: number;
}

export class TenantDto {
  @ApiProperty({ format: 'uuid' }) tenantId: string;
  @ApiProperty() name: string;
  @ApiProperty() retentionDays: number;
  @ApiProperty({ nullable: true, type: String, description: 'The tenant\'s own KMS key, or null for the shared key' }) kmsKeyId: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: TenantCountsDto }) counts: TenantCountsDto;
}

export class TenantListItemDto {
  @ApiProperty({ format: 'uuid' }) tenantId: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) kmsKeyId: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class TenantListDto {
  @ApiProperty({ type: [TenantListItemDto] }) items: TenantListItemDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class TenantDeletionDto {
  @ApiProperty({ format: 'uuid', description: 'Receipt id: GET /v1/deletions/{deletionId}' }) deletionId: string;
}
