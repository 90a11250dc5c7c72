// Size caps are bytes in the API and KiB/MiB/GiB on the page: the field shows a cap in the largest
// unit that keeps it readable, and what the operator types goes back as a whole number of bytes.
export const SIZE_UNITS = ['KiB', 'MiB', 'GiB'] as const;
export type SizeUnit = (typeof SIZE_UNITS)[number];

const FACTOR: Record<SizeUnit, number> = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

export interface SizeField {
  /** The number as typed (a string so that a half-typed "1." survives). */
  amount: string;
  unit: SizeUnit;
}

/** The field for a cap: GiB when it is a whole number of GiB, else MiB when at least 1 MiB, else KiB. */
export function fieldFromBytes(bytes: number): SizeField {
  const unit: SizeUnit = bytes >= FACTOR.GiB && bytes % FACTOR.GiB === 0 ? 'GiB' : bytes >= FACTOR.MiB ? 'MiB' : 'KiB';
  const amount = bytes / FACTOR[unit];
  return { amount: String(Number.isInteger(amount) ? amount : Number(amount.toFixed(3))), unit };
}

export type Parsed = { ok: true; bytes: number } | { ok: false; message: string };

/** Bytes from a field; only "is it a number" is checked here, every other rule is the API's to word. */
export function bytesFromField(field: SizeField): Parsed {
  const text = field.amount.trim().replace(',', '.');
  if (!/^\d+(?:\.\d+)?$/.test(text)) return { ok: false, message: `"${field.amount}" is not a number; enter an amount of ${field.unit} such as 100 or 1.5` };
  return { ok: true, bytes: Math.round(Number(text) * FACTOR[field.unit]) };
}
