// Which clients a rule or silence covers: a client-ID glob (`*` any run of
// characters, `?` one character) and labels. Pure: the SQL copy is likeOf().

export interface Selector {
  labels?: Record<string, string>;
  clientIdPattern?: string;
}

/** The glob as an anchored regular expression (every other character literal). */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (const ch of glob) {
    if (ch === "*") source += "[\\s\\S]*";
    else if (ch === "?") source += "[\\s\\S]";
    else source += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "u");
}

/** The glob as a LIKE pattern with `\` as the escape character (the SQL copy of globToRegExp). */
export function globToLike(glob: string): string {
  let like = "";
  for (const ch of glob) {
    if (ch === "*") like += "%";
    else if (ch === "?") like += "_";
    else if (ch === "%" || ch === "_" || ch === "\\") like += `\\${ch}`;
    else like += ch;
  }
  return like;
}

/** Whether a client falls under a selector (labels: every key must match). */
export function matchesSelector(
  selector: Selector | null | undefined,
  clientId: string,
  labels: Readonly<Record<string, string>> = {},
): boolean {
  if (selector == null) return true;
  if (
    selector.clientIdPattern !== undefined &&
    !globToRegExp(selector.clientIdPattern).test(clientId)
  )
    return false;
  for (const [key, value] of Object.entries(selector.labels ?? {})) {
    if (labels[key] !== value) return false;
  }
  return true;
}
