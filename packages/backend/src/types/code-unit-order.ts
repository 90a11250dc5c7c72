// One order for names and paths in what the types service serves (directory listings, the index):
// by UTF-16 code unit, like the default sort, independent of locale, so the same tree always gives
// the same body and ETag on every host.

export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
