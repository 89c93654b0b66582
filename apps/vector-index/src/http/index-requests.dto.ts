import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';

const FACE_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** base64 of dims × 4 bytes: 512-d is 2732 characters. */
const MAX_VECTOR_CHARS = 65_536;
export const MAX_ADD_ENTRIES = 5000;
export const MAX_REMOVE_IDS = 10_000;
export const MAX_K = 1000;

export class VectorEntryDto {
  @IsString() @Matches(FACE_ID)
  faceId: string;

  /** base64 of Float32 little-endian bytes. */
  @IsString() @MaxLength(MAX_VECTOR_CHARS)
  vector: string;

  @IsOptional() @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER)
  seq?: number;
}

export class AddFacesDto {
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_ADD_ENTRIES) @ValidateNested({ each: true }) @Type(() => VectorEntryDto)
  entries: VectorEntryDto[];
}

export class RemoveFacesDto {
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(MAX_REMOVE_IDS) @IsString({ each: true }) @Matches(FACE_ID, { each: true })
  faceIds: string[];

  /** Also delete every stored snapshot written before the removal (they may hold the vectors). */
  @IsOptional() @IsBoolean()
  purgeSnapshots?: boolean;
}

export class SearchDto {
  @IsString() @MaxLength(MAX_VECTOR_CHARS)
  vector: string;

  @IsInt() @Min(1) @Max(MAX_K)
  k: number;

  @IsOptional() @IsNumber() @Min(0) @Max(1)
  minSimilarity?: number;
}
