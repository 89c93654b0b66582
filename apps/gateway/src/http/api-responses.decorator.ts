import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import { ProblemDto } from './problem.dto';

const problem = (status: number, description: string) =>
  ApiResponse({ status, description, type: ProblemDto, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } } });

/** The error responses every authenticated route can give. */
export const ApiAuthenticated = () =>
  applyDecorators(
    ApiBearerAuth(),
    problem(400, 'Invalid request (fields named in `errors`)'),
    problem(401, 'Missing or invalid credentials'),
    problem(403, 'Valid credentials without the role this route needs'),
    problem(429, 'Rate limited; see Retry-After'),
    problem(503, 'A dependency is down (fail closed); see Retry-After'),
  );

export const ApiNotFound = (what: string) => problem(404, `${what} not found in this tenant`);
export const ApiConflict = (what: string) => problem(409, what);
