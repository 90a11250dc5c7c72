// When each tree other than `current` was first seen retired, kept in the data dir so the grace
// period survives restarts. Written whole to a temp file and renamed over, so a crash leaves the
// old record or the new one, never half of one.
import path from 'node:path';
import { z } from 'zod';
import { TREE_HASH, type DataLayout } from '../data-layout.ts';
import { readFileIfPresent } from '../read-if-present.ts';
import { writeFileAtomically } from '../temp-names.ts';

export const RETIRED_TREES_FILE = 'retired-trees.json';

const retiredTreesSchema = z.record(z.string().regex(TREE_HASH), z.number().nonnegative());

/** The record, and a problem when the file was unreadable (every tree then starts a new grace). */
export async function readRetiredTrees(layout: DataLayout): Promise<{ retiredSince: Record<string, number>; problem: string | null }> {
  const file = path.join(layout.dataDir, RETIRED_TREES_FILE);
  const text = await readFileIfPresent(file);
  if (text === null) return { retiredSince: {}, problem: null };
  let value: unknown = null;
  try {
    value = JSON.parse(text);
  } catch {
    // Reported below as an invalid record.
  }
  const parsed = retiredTreesSchema.safeParse(value);
  if (parsed.success) return { retiredSince: parsed.data, problem: null };
  return { retiredSince: {}, problem: `${file} is not a valid retirement record; it is rewritten, and every retired tree waits a full grace period again` };
}

export const writeRetiredTrees = (layout: DataLayout, retiredSince: Readonly<Record<string, number>>): Promise<void> =>
  writeFileAtomically(path.join(layout.dataDir, RETIRED_TREES_FILE), `${JSON.stringify(retiredSince)}\n`, { mode: 0o600 });
