import { Foundation1764000000000 } from './1764000000000-foundation.migration';

/** In order; TypeORM records each applied one in the `migrations` table. */
export const MIGRATIONS = [Foundation1764000000000];
