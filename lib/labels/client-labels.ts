// What the label routes call: one function per route.
import type { Labels } from "../../contract/labels";
import { labelsImportMaxBytes } from "../config";
import { ServiceError } from "../errors";
import { readBodyText } from "../http/body";
import {
  applyImport,
  clientIdProblem,
  parseCsvImport,
  parseJsonImport,
  type ParsedImport,
} from "./import";
import type { ImportResult, LabelsView } from "./schemas";
import { getLabels, labelsOfClients, setLabels } from "./store";

/** GET /api/clients/{clientId}/labels: any client ID, seen or not, has labels ({} by default). */
export async function labelsForClient(clientId: string): Promise<LabelsView> {
  return { labels: await getLabels(clientId) };
}

/** PUT /api/clients/{clientId}/labels: labels may be set before a device is ever seen. */
export async function putLabels(clientId: string, labels: Labels): Promise<LabelsView> {
  const problem = clientIdProblem(clientId);
  if (problem !== null) throw new ServiceError("invalid_path", problem);
  return { labels: await setLabels(clientId, labels) };
}

/** How an import would change the labels of the clients it lists. */
export interface ImportPreview {
  /** Listed clients whose labels change. */
  changedClients: number;
  added: number;
  changed: number;
  removed: number;
  /** The first changed clients, before and after. */
  items: { clientId: string; before: Labels; after: Labels }[];
}

const PREVIEW_ITEMS = 50;

/** POST /api/labels/import (`dryRun`: only say what would change). */
export async function importLabels(
  request: Request,
  dryRun: boolean,
): Promise<ImportResult & { preview?: ImportPreview }> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "text/csv" && type !== "application/json") {
    throw new ServiceError(
      "invalid_body",
      "Content-Type must be text/csv (header clientId,key,value) or application/json.",
    );
  }
  const text = await readBodyText(request, labelsImportMaxBytes());
  const parsed = type === "text/csv" ? parseCsvImport(text) : parseJsonImport(text);
  if (!dryRun) return applyImport(parsed);
  if (parsed.rejectedCount > 0) await applyImport(parsed); // throws ImportRejected
  return {
    clients: parsed.byClient.size,
    labels: [...parsed.byClient.values()].reduce((n, l) => n + Object.keys(l).length, 0),
    rejected: [],
    preview: await previewImport(parsed),
  };
}

async function previewImport(parsed: ParsedImport): Promise<ImportPreview> {
  const current = await labelsOfClients([...parsed.byClient.keys()]);
  const preview: ImportPreview = { changedClients: 0, added: 0, changed: 0, removed: 0, items: [] };
  for (const [clientId, after] of parsed.byClient) {
    const before = current.get(clientId) ?? {};
    let differs = false;
    for (const [key, value] of Object.entries(after)) {
      if (!Object.hasOwn(before, key)) preview.added += 1;
      else if (before[key] !== value) preview.changed += 1;
      else continue;
      differs = true;
    }
    for (const key of Object.keys(before)) {
      if (!Object.hasOwn(after, key)) {
        preview.removed += 1;
        differs = true;
      }
    }
    if (!differs) continue;
    preview.changedClients += 1;
    if (preview.items.length < PREVIEW_ITEMS) preview.items.push({ clientId, before, after });
  }
  return preview;
}
