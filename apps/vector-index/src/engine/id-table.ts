/** Serialised form of an IdTable (the `ids` section of a snapshot). */
export interface IdTableData {
  /** faceId of each label, in label order (removed labels keep their id). */
  labels: string[];
  /** Labels removed (mark-deleted in hnsw, holes in flat). */
  deleted: number[];
  /** Face ids removed, recently: a late add of one of them is ignored. */
  tombstones: string[];
}

/** Tombstones kept per tenant; the oldest go first. A late add beyond that is still filtered by the gateway's database lookup. */
const MAX_TOMBSTONES = 100_000;

/**
 * Face ids ↔ the index's numeric labels (dense, assigned in order, never reused), plus which labels are
 * removed and which face ids were removed recently. Lives in the worker beside the index.
 */
export class IdTable {
  readonly labels: string[] = [];
  readonly byFace = new Map<string, number>();
  readonly deleted = new Set<number>();
  readonly tombstones = new Set<string>();

  /** Searchable faces. */
  get live(): number {
    return this.byFace.size;
  }

  /** Whether an add of faceId should happen: not present and not removed before. */
  accepts(faceId: string): boolean {
    return !this.byFace.has(faceId) && !this.tombstones.has(faceId);
  }

  assign(faceId: string): number {
    const label = this.labels.length;
    this.labels.push(faceId);
    this.byFace.set(faceId, label);
    return label;
  }

  /** Forgets faceId (remembering it as a tombstone) and returns its label, if it was live. */
  remove(faceId: string): number | undefined {
    this.addTombstone(faceId);
    const label = this.byFace.get(faceId);
    if (label === undefined) return undefined;
    this.byFace.delete(faceId);
    this.deleted.add(label);
    return label;
  }

  faceOf(label: number): string {
    return this.labels[label];
  }

  /** [faceId, label] of every live face, in label order. */
  liveEntries(): [string, number][] {
    const out: [string, number][] = [];
    for (let label = 0; label < this.labels.length; label++) if (!this.deleted.has(label)) out.push([this.labels[label], label]);
    return out;
  }

  addTombstone(faceId: string): void {
    this.tombstones.delete(faceId);
    this.tombstones.add(faceId);
    if (this.tombstones.size > MAX_TOMBSTONES) this.tombstones.delete(this.tombstones.values().next().value as string);
  }

  /** Rough heap cost: the Map entry, the id string and its slot in `labels`. */
  bytes(): number {
    return this.labels.length * 112 + this.tombstones.size * 80;
  }

  toData(): IdTableData {
    return { labels: this.labels, deleted: [...this.deleted], tombstones: [...this.tombstones] };
  }

  static fromData(data: IdTableData): IdTable {
    const table = new IdTable();
    const deleted = new Set(data.deleted);
    data.labels.forEach((faceId, label) => {
      table.labels.push(faceId);
      if (deleted.has(label)) table.deleted.add(label);
      else table.byFace.set(faceId, label);
    });
    for (const t of data.tombstones) table.tombstones.add(t);
    return table;
  }
}
