import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateIf } from 'class-validator';

const QUALITY = ['none', 'low', 'medium', 'high'] as const;
type Quality = (typeof QUALITY)[number];

export class SettingsDto {
  @ApiProperty({ description: 'Days face data is kept before retention deletes it' }) retentionDays: number;
  @ApiProperty({ description: 'Default similarity (0..1) a match must reach' }) matchThreshold: number;
  @ApiProperty({ description: 'Smallest face side in pixels that is indexed' }) minFaceSize: number;
  @ApiProperty() maxFacesPerImage: number;
  @ApiProperty({ enum: QUALITY }) qualityFilter: Quality;
  @ApiProperty({ description: 'Whether a webhook secret is set (the secret itself is write-only)' }) webhookSecretSet: boolean;
}

/** Every field optional; unknown fields are rejected by the global ValidationPipe. */
export class UpdateSettingsDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 3650 })
  @IsOptional() @IsInt() @Min(1) @Max(3650)
  retentionDays?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1)
  matchThreshold?: number;

  @ApiPropertyOptional({ minimum: 8, maximum: 4096 })
  @IsOptional() @IsInt() @Min(8) @Max(4096)
  minFaceSize?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000 })
  @IsOptional() @IsInt() @Min(1) @Max(1000)
  maxFacesPerImage?: number;

  @ApiPropertyOptional({ enum: QUALITY })
  @IsOptional() @IsIn(QUALITY)
  qualityFilter?: Quality;

  @ApiPropertyOptional({ nullable: true, type: String, minLength: 16, maxLength: 256, description: 'Write-only; null removes it' })
  @ValidateIf((_, v) => v !== null && v !== undefined) @IsString() @MinLength(16) @MaxLength(256)
  webhookSecret?: string | null;
}

export class DataKeyRotationDto {
  @ApiProperty({ description: 'The new current data-key version' }) version: number;
  @ApiProperty({ description: 'The version being re-encrypted away and then destroyed' }) previousVersion: number;
  @ApiProperty({ description: 'Background job re-encrypting stored data' }) jobId: string;
}
