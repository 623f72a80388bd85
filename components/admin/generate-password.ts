/** Letters and digits without look-alikes (0/O, 1/l/I): it will be read out or typed from a screen. */
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/** A random 16-character password (about 93 bits) from the browser's CSPRNG. */
export function generatePassword(length = 16): string {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  // 256 is not a multiple of the alphabet size; the bias (<1%) costs nothing at this length.
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
}
