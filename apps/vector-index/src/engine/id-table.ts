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

/** Face ids as the database writes them: canonical lowercase UUIDs, held as 16 bytes. */
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Offsets of the 16 hex pairs in a canonical UUID string. */
const PAIR_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
const MIN_LABELS = 1024;

/**
 * Face ids ↔ the index's numeric labels (dense, assigned in order, never reused), plus which labels are
 * removed and which face ids were removed recently. Lives in the worker beside the index.
 *
 * Compact, because it sits beside every vector: UUID face ids are kept as 16 bytes per label (other
 * ids, e.g. in tests, as strings in a side map), and the live faces are found through an open-addressing
 * hash table of labels (linear probing, at most half full): ~30 B per face instead of ~115 for an array
 * of id strings plus a Map.
 */
export class IdTable {
  readonly deleted = new Set<number>();
  readonly tombstones = new Set<string>();
  private uuids = new Uint8Array(MIN_LABELS * 16);
  /** Labels whose face id is not a canonical UUID. */
  private readonly other = new Map<number, string>();
  private assigned = 0;
  private liveCount = 0;
  /** label + 1 of each live face, 0 = empty; length a power of two. */
  private slots = new Int32Array(2 * MIN_LABELS);
  private readonly key = new Uint8Array(16);

  /** Labels assigned so far (live and removed): the index's element count. */
  get size(): number {
    return this.assigned;
  }

  /** Searchable faces. */
  get live(): number {
    return this.liveCount;
  }

  /** Whether an add of faceId should happen: not present and not removed before. */
  accepts(faceId: string): boolean {
    return this.labelOf(faceId) === undefined && !this.tombstones.has(faceId);
  }

  /** The label of a live face. */
  labelOf(faceId: string): number | undefined {
    const uuid = this.parse(faceId);
    const mask = this.slots.length - 1;
    for (let i = this.hashKey(faceId, uuid) & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i];
      if (slot === 0) return undefined;
      if (this.matches(slot - 1, faceId, uuid)) return slot - 1;
    }
  }

  assign(faceId: string): number {
    const label = this.assigned;
    if ((label + 1) * 16 > this.uuids.length) {
      const grown = new Uint8Array(Math.max(this.uuids.length * 2, (label + 1) * 16));
      grown.set(this.uuids);
      this.uuids = grown;
    }
    if (this.parse(faceId)) this.uuids.set(this.key, label * 16);
    else this.other.set(label, faceId);
    // Rehashed over the labels assigned before this one, which is placed after.
    if ((this.liveCount + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    this.assigned++;
    this.place(label);
    this.liveCount++;
    return label;
  }

  /** Forgets faceId (remembering it as a tombstone) and returns its label, if it was live. */
  remove(faceId: string): number | undefined {
    this.addTombstone(faceId);
    const label = this.labelOf(faceId);
    if (label === undefined) return undefined;
    this.unplace(label);
    this.liveCount--;
    this.deleted.add(label);
    return label;
  }

  faceOf(label: number): string {
    const other = this.other.size > 0 ? this.other.get(label) : undefined;
    if (other !== undefined) return other;
    const b = this.uuids;
    const o = label * 16;
    const h = (i: number) => HEX[b[o + i]];
    return `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${h(6)}${h(7)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
  }

  /** [faceId, label] of every live face, in label order. */
  liveEntries(): [string, number][] {
    const out: [string, number][] = [];
    for (let label = 0; label < this.assigned; label++) if (!this.deleted.has(label)) out.push([this.faceOf(label), label]);
    return out;
  }

  addTombstone(faceId: string): void {
    this.tombstones.delete(faceId);
    this.tombstones.add(faceId);
    if (this.tombstones.size > MAX_TOMBSTONES) this.tombstones.delete(this.tombstones.values().next().value as string);
  }

  /** Heap cost: id bytes, hash slots, removed labels, tombstones and non-UUID ids (strings, Map entries). */
  bytes(): number {
    return this.uuids.byteLength + this.slots.byteLength + this.deleted.size * 16 + (this.tombstones.size + this.other.size) * 80;
  }

  toData(): IdTableData {
    const labels: string[] = new Array<string>(this.assigned);
    for (let label = 0; label < this.assigned; label++) labels[label] = this.faceOf(label);
    return { labels, deleted: [...this.deleted], tombstones: [...this.tombstones] };
  }

  static fromData(data: IdTableData): IdTable {
    const table = new IdTable();
    table.reserve(data.labels.length);
    const deleted = new Set(data.deleted);
    data.labels.forEach((faceId, label) => {
      if (deleted.has(label)) {
        // Removed: keeps its id (for the label count and rebuilds) but is not findable.
        if (table.parse(faceId)) table.uuids.set(table.key, label * 16);
        else table.other.set(label, faceId);
        table.assigned++;
        table.deleted.add(label);
      } else {
        table.assign(faceId);
      }
    });
    for (const t of data.tombstones) table.tombstones.add(t);
    return table;
  }

  private reserve(labels: number): void {
    if (labels * 16 > this.uuids.length) {
      const grown = new Uint8Array(labels * 16);
      grown.set(this.uuids);
      this.uuids = grown;
    }
    let slots = this.slots.length;
    while (labels * 2 > slots) slots *= 2;
    if (slots !== this.slots.length) this.rehash(slots);
  }

  /** Parses a canonical UUID into this.key; false for any other id. */
  private parse(faceId: string): boolean {
    if (faceId.length !== 36 || !UUID_RE.test(faceId)) return false;
    for (let i = 0; i < 16; i++) this.key[i] = parseInt(faceId.substr(PAIR_AT[i], 2), 16);
    return true;
  }

  private hashKey(faceId: string, uuid: boolean): number {
    return uuid ? hashBytes(this.key, 0) : hashString(faceId);
  }

  private hashLabel(label: number): number {
    const other = this.other.size > 0 ? this.other.get(label) : undefined;
    return other !== undefined ? hashString(other) : hashBytes(this.uuids, label * 16);
  }

  private matches(label: number, faceId: string, uuid: boolean): boolean {
    if (!uuid) return this.other.get(label) === faceId;
    if (this.other.size > 0 && this.other.has(label)) return false;
    const b = this.uuids;
    const o = label * 16;
    for (let i = 0; i < 16; i++) if (b[o + i] !== this.key[i]) return false;
    return true;
  }

  private place(label: number): void {
    const mask = this.slots.length - 1;
    let i = this.hashLabel(label) & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = label + 1;
  }

  /** Removes a label's slot, shifting later entries of its probe run back (no deletion markers). */
  private unplace(label: number): void {
    const slots = this.slots;
    const mask = slots.length - 1;
    let i = this.hashLabel(label) & mask;
    while (slots[i] !== label + 1) i = (i + 1) & mask;
    for (let j = (i + 1) & mask; slots[j] !== 0; j = (j + 1) & mask) {
      const home = this.hashLabel(slots[j] - 1) & mask;
      // Move j into the hole at i unless its home lies cyclically in (i, j].
      const inRange = i <= j ? home > i && home <= j : home > i || home <= j;
      if (!inRange) {
        slots[i] = slots[j];
        i = j;
      }
    }
    slots[i] = 0;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let label = 0; label < this.assigned; label++) if (!this.deleted.has(label)) this.place(label);
  }
}

/** FNV-1a over 16 bytes, then a finaliser (UUIDv4 bytes are mostly random already). */
function hashBytes(b: Uint8Array, o: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < 16; i++) h = Math.imul(h ^ b[o + i], 0x01000193);
  return mix(h);
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix(h);
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
