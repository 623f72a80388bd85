// The fleet list's contract, shared by the browser and the server without
// zod or any server module: what a list may be filtered and sorted by, and
// the order it comes in.

/**
 * Client IDs in PostgreSQL's order for them (the "C" collation: UTF-8 bytes,
 * which is code point order). JavaScript's `<` compares UTF-16 code units,
 * which puts U+E000–U+FFFF after every astral character: a list patched in
 * the browser would then disagree with the next page from the API.
 */
export function compareClientIds(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** A code unit's rank in code point order: surrogates (astral characters) above all of the BMP. */
function codePointRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}
