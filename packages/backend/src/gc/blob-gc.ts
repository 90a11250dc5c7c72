// What one blob GC run does to each indexed blob, decided from the index, the referenced set and
// the time alone: a blob found unreferenced is first marked, and deleted only once it has stayed
// unreferenced for the grace; a blob referenced again loses its mark. The service does the I/O.

export interface IndexedBlob {
  integrity: string;
  size: number;
  storeId: string;
  /** Since when GC found it referenced by neither the desired state nor the kept history; null: referenced. */
  unreferencedSince: Date | null;
}

export interface BlobGcPlan {
  /** Unreferenced and not marked yet: marked now, deleted on a run past the grace. */
  mark: IndexedBlob[];
  /** Marked, but referenced again (an install or rollback needs it): the mark is cleared. */
  clear: IndexedBlob[];
  /** Unreferenced for at least the grace: taken out of the index, then deleted from their store. */
  remove: IndexedBlob[];
}

export interface BlobGcInput {
  blobs: Iterable<IndexedBlob>;
  referenced: ReadonlySet<string>;
  now: Date;
  graceMs: number;
}

/** When a blob marked at `unreferencedSince` may be deleted. */
export const eligibleAt = (unreferencedSince: Date, graceMs: number): Date => new Date(unreferencedSince.getTime() + graceMs);

export function planBlobGc({ blobs, referenced, now, graceMs }: BlobGcInput): BlobGcPlan {
  const plan: BlobGcPlan = { mark: [], clear: [], remove: [] };
  for (const blob of blobs) {
    if (referenced.has(blob.integrity)) {
      if (blob.unreferencedSince) plan.clear.push(blob);
    } else if (!blob.unreferencedSince) {
      plan.mark.push(blob);
    } else if (eligibleAt(blob.unreferencedSince, graceMs).getTime() <= now.getTime()) {
      plan.remove.push(blob);
    }
  }
  return plan;
}
