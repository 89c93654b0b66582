import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { JsonFormField } from '../http/json-form-field';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';

const QUALITY = ['none', 'low', 'medium', 'high'] as const;

export class S3RefDto {
  @ApiProperty() @IsString() @MinLength(3) @MaxLength(63) bucket: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(1024) key: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1024) versionId?: string;
}

export class ImageSourceDto {
  @ApiPropertyOptional({ description: 'https URL, fetched with SSRF protection' })
  @IsOptional() @IsString() @MaxLength(4096) @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  url?: string;

  @ApiPropertyOptional({ type: S3RefDto })
  @IsOptional() @ValidateNested() @Type(() => S3RefDto)
  s3?: S3RefDto;
}

export class IndexAssetDto {
  @ApiPropertyOptional({ type: ImageSourceDto, description: 'Where to get the image (JSON requests); multipart requests send the `image` file instead' })
  @IsOptional() @JsonFormField(ImageSourceDto) @ValidateNested()
  source?: ImageSourceDto;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  maxFaces?: number;

  @ApiPropertyOptional({ enum: QUALITY })
  @IsOptional() @IsIn(QUALITY)
  qualityFilter?: (typeof QUALITY)[number];

  @ApiPropertyOptional({ description: 'Receives a signed POST when the job ends' })
  @IsOptional() @IsString() @MaxLength(2048) @IsUrl({ protocols: ['https', 'http'], require_protocol: true, require_tld: false })
  callbackUrl?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional() @JsonFormField() @IsObject()
  metadata?: Record<string, string>;
}

export class AssetIdParam {
  @Matches(/^[A-Za-z0-9._:-]{1,200}$/, { message: 'assetId must be 1-200 characters of A-Za-z0-9._:-' })
  assetId: string;
}

export class IndexJobDto {
  @ApiProperty({ format: 'uuid' }) jobId: string;
  @ApiProperty() assetId: string;
  @ApiProperty({ enum: ['queued', 'active', 'completed', 'failed'] }) status: string;
  @ApiProperty() facesIndexed: number;
  @ApiProperty({ type: 'array', items: { type: 'object', properties: { reason: { type: 'string', enum: ['too_small', 'low_confidence', 'low_sharpness', 'extreme_pose', 'exceeds_max_faces'] } } } })
  unindexedFaces: { reason: string }[];
  @ApiPropertyOptional({ type: 'object', properties: { code: { type: 'string' }, detail: { type: 'string' } } }) error?: { code: string; detail: string };
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) completedAt: string | null;
}

class BoxDto {
  @ApiProperty() left: number;
  @ApiProperty() top: number;
  @ApiProperty() width: number;
  @ApiProperty() height: number;
}

export class FaceDto {
  @ApiProperty({ format: 'uuid' }) faceId: string;
  @ApiProperty() assetId: string;
  @ApiProperty({ type: BoxDto, description: 'Relative to the displayed image, 0..1' }) boundingBox: BoxDto;
  @ApiProperty() confidence: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } }) quality: Record<string, number>;
  @ApiPropertyOptional({ format: 'uuid' }) personId?: string;
  @ApiProperty() modelSet: string;
  @ApiProperty({ format: 'date-time' }) indexedAt: string;
}

export class AssetFacesDto {
  @ApiProperty() assetId: string;
  @ApiProperty({ type: [FaceDto] }) faces: FaceDto[];
}

export class FaceListDto {
  @ApiProperty({ type: [FaceDto] }) items: FaceDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class BatchIndexItemDto extends IndexAssetDto {
  @ApiProperty({ pattern: '^[A-Za-z0-9._:-]{1,200}$' })
  @Matches(/^[A-Za-z0-9._:-]{1,200}$/, { message: 'assetId must be 1-200 characters of A-Za-z0-9._:-' })
  assetId: string;
}

export class BatchIndexDto {
  @ApiProperty({ type: [BatchIndexItemDto], maxItems: 1000 })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(1000) @ValidateNested({ each: true }) @Type(() => BatchIndexItemDto)
  items: BatchIndexItemDto[];
}

export class BatchIndexResultDto {
  @ApiProperty({ type: [IndexJobDto] }) jobs: IndexJobDto[];
}
