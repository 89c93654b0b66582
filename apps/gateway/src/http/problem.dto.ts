import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** RFC 9457 problem details, as every error response carries them. */
export class ProblemDto {
  @ApiProperty({ example: 'urn:facesearch:problem:validation_failed' }) type: string;
  @ApiProperty({ example: 'Bad Request' }) title: string;
  @ApiProperty({ example: 400 }) status: number;
  @ApiProperty() detail: string;
  @ApiPropertyOptional({ description: 'Machine-readable error code' }) code?: string;
  @ApiProperty({ format: 'uuid', description: 'Quote this when reporting a problem' }) errorId: string;
  @ApiPropertyOptional() requestId?: string;
  @ApiPropertyOptional({ description: 'Validation errors by field', type: 'array', items: { type: 'object' } })
  errors?: { field: string; messages: string[] }[];
}
