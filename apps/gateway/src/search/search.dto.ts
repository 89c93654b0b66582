import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { JsonFormField } from '../http/json-form-field';
import { IsInt, IsNumber, IsOptional, IsUUID, Max, Min, ValidateNested } from 'class-validator';
import { ImageSourceDto } from '../indexing/indexing.dto';

export class SearchOptionsDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 20 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000)
  maxResults?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, description: 'Default: the tenant\'s matchThreshold' })
  @IsOptional() @Type(() => Number) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1)
  threshold?: number;
}

export class SearchByImageDto extends SearchOptionsDto {
  @ApiPropertyOptional({ type: ImageSourceDto, description: 'JSON requests; multipart requests send an `image` file' })
  @IsOptional() @JsonFormField(ImageSourceDto) @ValidateNested()
  source?: ImageSourceDto;

  @ApiPropertyOptional({ minimum: 1, maximum: 20, default: 1, description: '1 = the largest face only' })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(20)
  maxQueryFaces?: number;
}

export class VerifySideDto {
  @ApiPropertyOptional({ type: ImageSourceDto }) @IsOptional() @ValidateNested() @Type(() => ImageSourceDto) source?: ImageSourceDto;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() faceId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() personId?: string;
}

export class VerifyDto {
  @ApiPropertyOptional({ type: VerifySideDto, description: 'JSON; multipart requests send image files `a` and `b`' })
  @IsOptional() @JsonFormField(VerifySideDto) @ValidateNested()
  a?: VerifySideDto;

  @ApiPropertyOptional({ type: VerifySideDto })
  @IsOptional() @JsonFormField(VerifySideDto) @ValidateNested()
  b?: VerifySideDto;

  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional() @Type(() => Number) @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1)
  threshold?: number;
}

class BoxDto {
  @ApiProperty() left: number;
  @ApiProperty() top: number;
  @ApiProperty() width: number;
  @ApiProperty() height: number;
}

export class MatchDto {
  @ApiProperty({ format: 'uuid' }) faceId: string;
  @ApiProperty() assetId: string;
  @ApiProperty({ description: '0..1' }) similarity: number;
  @ApiProperty({ type: BoxDto }) boundingBox: BoxDto;
  @ApiPropertyOptional({ format: 'uuid' }) personId?: string;
}

export class QueryFaceDto {
  @ApiProperty({ type: BoxDto }) boundingBox: BoxDto;
  @ApiProperty() confidence: number;
  @ApiProperty({ type: [MatchDto] }) matches: MatchDto[];
}

export class SearchByImageResultDto {
  @ApiProperty({ type: [QueryFaceDto] }) queryFaces: QueryFaceDto[];
}

export class SearchByFaceResultDto {
  @ApiProperty({ type: [MatchDto] }) matches: MatchDto[];
}

export class VerifyResultDto {
  @ApiProperty() match: boolean;
  @ApiProperty() similarity: number;
  @ApiProperty() threshold: number;
}
