/**
 * A glob that matches exactly this client ID. Globs have no escape
 * character, so `*` and `?` in an ID become `?` (one character): a muted
 * ID with such characters may also mute look-alikes of the same length,
 * which is the safe side for a silence. AWS client IDs rarely hold them.
 */
export function exactGlob(clientId: string): string {
  return clientId.replace(/[*?]/g, "?");
}
