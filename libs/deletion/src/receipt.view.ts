import { type DeletionRecord } from '@app/persistence';

/** API.md's receipt. */
export interface ReceiptView {
  deletionId: string;
  scope: { type: string; id: string | null };
  status: 'pending' | 'completed' | 'failed';
  requestedAt: string;
  completedAt: string | null;
  requestedBy: Record<string, string>;
  counts: { faces: number; embeddings: number; indexEntries: number; snapshotsRewritten: number; jobsCancelled: number; [other: string]: number };
  /** searchable: erased faces a search of the index still returned (0); checked: how many were searched for. */
  verified: { searchable: number | null; checked: number };
}

export function toReceiptView(d: DeletionRecord): ReceiptView {
  const c = d.counts;
  return {
    deletionId: d.id,
    scope: { type: d.scopeType === 'face_data' ? 'faceData' : d.scopeType, id: d.scopeId },
    status: d.status,
    requestedAt: d.requestedAt.toISOString(),
    completedAt: d.completedAt ? d.completedAt.toISOString() : null,
    requestedBy: d.requestedBy,
    counts: {
      ...Object.fromEntries(Object.entries(c).filter((e): e is [string, number] => typeof e[1] === 'number')),
      faces: c.faces ?? 0,
      embeddings: c.embeddings ?? 0,
      indexEntries: c.indexEntries ?? 0,
      snapshotsRewritten: c.snapshotsRewritten ?? 0,
      jobsCancelled: c.jobsCancelled ?? 0,
    },
    // Unknown until the deletion completes, or when the index could not be searched afterwards.
    verified: { searchable: d.status === 'completed' ? searchable(d.verified, c.faces ?? 0) : null, checked: d.verified.checked ?? 0 },
  };
}

/** Measured, or 0 when nothing was erased; null when erased faces could not be searched for afterwards. */
function searchable(v: Record<string, number | null>, erased: number): number | null {
  if (typeof v.searchable === 'number' && !v.unchecked) return v.searchable;
  return erased === 0 ? 0 : null;
}
