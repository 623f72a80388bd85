// POST /api/labels/import: an inventory as CSV (`clientId,key,value`, one row
// per label) or JSON (`[{"clientId", "labels": {...}}]`). Every row is
// checked first; only a fully valid import is written, in one transaction,
// and it REPLACES the labels of each client it lists (clients it does not
// list keep theirs): an inventory file is the truth about the devices in it,
// so a label dropped from the file is dropped from the device.
import { parse } from "csv-parse/sync";
import {
  labelKeyProblem,
  labelValueProblem,
  MAX_LABELS_PER_CLIENT,
  type Labels,
} from "../../contract/labels";
import { ServiceError } from "../errors";
import { MAX_CLIENT_ID_BYTES } from "../ingest/schemas";
import type { ImportResult } from "./schemas";
import { replaceLabels } from "./store";

/** A rejected row: its 1-based line (CSV) or 0-based index (JSON), and why. */
export type Rejection = ImportResult["rejected"][number];

/** Enough to fix a file; a file of 100,000 bad rows must not answer with megabytes. */
export const MAX_REJECTIONS_LISTED = 1000;

export interface ParsedImport {
  byClient: Map<string, Labels>;
  rejected: Rejection[];
  /** Every rejection, also those past MAX_REJECTIONS_LISTED. */
  rejectedCount: number;
}

/** What is wrong with a client ID given in an import or a URL, or null. */
export function clientIdProblem(clientId: unknown): string | null {
  if (typeof clientId !== "string") return "clientId must be a string";
  if (clientId.length === 0) return "clientId must not be empty";
  if (Buffer.byteLength(clientId, "utf8") > MAX_CLIENT_ID_BYTES)
    return `clientId must be at most ${MAX_CLIENT_ID_BYTES} bytes`;
  if (clientId.includes("#") || clientId.includes("+") || clientId.includes("\0"))
    return "clientId must not contain '#', '+' or a NUL character";
  return null;
}

class Collector {
  readonly byClient = new Map<string, Labels>();
  readonly rejected: Rejection[] = [];
  rejectedCount = 0;

  reject(where: { line: number } | { index: number }, error: string): void {
    this.rejectedCount += 1;
    if (this.rejected.length < MAX_REJECTIONS_LISTED) this.rejected.push({ ...where, error });
  }

  result(): ParsedImport {
    return { byClient: this.byClient, rejected: this.rejected, rejectedCount: this.rejectedCount };
  }
}

const EXPECTED_HEADER = ["clientId", "key", "value"];

/** Parses a CSV inventory; rows are numbered by their line in the file (the header is line 1). */
export function parseCsvImport(text: string): ParsedImport {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      info: true,
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ServiceError("invalid_body", `The CSV does not parse: ${message}`);
  }
  const header = records[0]?.record.map((h) => h.trim());
  if (header === undefined || header.join(",") !== EXPECTED_HEADER.join(",")) {
    throw new ServiceError(
      "invalid_body",
      `The CSV must start with the header line clientId,key,value${header ? `; got '${header.join(",").slice(0, 100)}'` : ""}.`,
    );
  }
  const out = new Collector();
  for (let i = 1; i < records.length; i += 1) {
    const { record, info } = records[i]!;
    const line = info.lines;
    if (record.length !== 3) {
      out.reject({ line }, `expected 3 fields (clientId,key,value), got ${record.length}`);
      continue;
    }
    const [clientId, key, value] = record as [string, string, string];
    const problem =
      clientIdProblem(clientId) ?? labelKeyProblem(key) ?? labelValueProblem(key, value);
    if (problem !== null) {
      out.reject({ line }, problem);
      continue;
    }
    const labels = out.byClient.get(clientId) ?? {};
    if (Object.hasOwn(labels, key)) {
      out.reject({ line }, `clientId '${clientId}' has label '${key}' on an earlier line`);
      continue;
    }
    if (Object.keys(labels).length >= MAX_LABELS_PER_CLIENT) {
      out.reject({ line }, `clientId '${clientId}' has more than ${MAX_LABELS_PER_CLIENT} labels`);
      continue;
    }
    labels[key] = value;
    out.byClient.set(clientId, labels);
  }
  return out.result();
}

/** Parses a JSON inventory `[{"clientId", "labels": {...}}]`; items are numbered from 0. */
export function parseJsonImport(text: string): ParsedImport {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ServiceError(
      "invalid_json",
      'Body is not valid JSON; send [{"clientId", "labels": {...}}].',
    );
  }
  if (!Array.isArray(body)) {
    throw new ServiceError(
      "invalid_body",
      'Body must be a JSON array of {"clientId", "labels": {...}}.',
    );
  }
  const out = new Collector();
  body.forEach((item: unknown, index) => {
    const problem = jsonItemProblem(item);
    if (problem !== null) return out.reject({ index }, problem);
    const { clientId, labels } = item as { clientId: string; labels: Labels };
    if (out.byClient.has(clientId))
      return out.reject({ index }, `clientId '${clientId}' is listed twice`);
    out.byClient.set(clientId, { ...labels });
  });
  return out.result();
}

function jsonItemProblem(item: unknown): string | null {
  if (typeof item !== "object" || item === null || Array.isArray(item))
    return 'each item must be {"clientId", "labels": {...}}';
  const { clientId, labels } = item as { clientId?: unknown; labels?: unknown };
  const idProblem = clientIdProblem(clientId);
  if (idProblem !== null) return idProblem;
  if (typeof labels !== "object" || labels === null || Array.isArray(labels))
    return "labels must be an object of key: value strings";
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS_PER_CLIENT)
    return `a client carries at most ${MAX_LABELS_PER_CLIENT} labels; got ${entries.length}`;
  for (const [key, value] of entries) {
    if (typeof value !== "string") return `label '${key}' value must be a string`;
    const problem = labelKeyProblem(key) ?? labelValueProblem(key, value);
    if (problem !== null) return problem;
  }
  return null;
}

/**
 * Applies a parsed import, all or nothing: with any rejection nothing is
 * written and the answer is a 400 that lists the rejected rows.
 */
export async function applyImport(parsed: ParsedImport): Promise<ImportResult> {
  if (parsed.rejectedCount > 0) {
    throw new ImportRejected(parsed);
  }
  const labels = parsed.byClient.size === 0 ? 0 : await replaceLabels(parsed.byClient);
  return { clients: parsed.byClient.size, labels, rejected: [] };
}

/** An import with rejected rows: a ServiceError whose answer also carries the rows (see the route). */
export class ImportRejected extends ServiceError {
  constructor(readonly parsed: ParsedImport) {
    const more =
      parsed.rejectedCount > parsed.rejected.length
        ? ` (the first ${parsed.rejected.length} are listed)`
        : "";
    super(
      "invalid_body",
      `${parsed.rejectedCount} row${parsed.rejectedCount === 1 ? " was" : "s were"} rejected${more}; nothing was imported.`,
    );
  }

  get body(): ImportResult & { error: { code: string; message: string } } {
    return {
      error: { code: this.code, message: this.message },
      clients: 0,
      labels: 0,
      rejected: this.parsed.rejected,
    };
  }
}
