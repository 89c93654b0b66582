import { Foundation1764000000000 } from './1764000000000-foundation.migration';
import { WrappedDataKeys1764000000001 } from './1764000000001-wrapped-data-keys.migration';
import { Faces1764000000002 } from './1764000000002-faces.migration';
import { MatchThresholdDefault1764000000003 } from './1764000000003-match-threshold-default.migration';
import { FaceErasure1764000000004 } from './1764000000004-face-erasure.migration';
import { SealedWebhookSecret1764000000005 } from './1764000000005-sealed-webhook-secret.migration';

/** In order; TypeORM records each applied one in the `migrations` table. */
export const MIGRATIONS = [Foundation1764000000000, WrappedDataKeys1764000000001, Faces1764000000002, MatchThresholdDefault1764000000003, FaceErasure1764000000004, SealedWebhookSecret1764000000005];
