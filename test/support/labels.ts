// Labels for tests that filter by them.
import { replaceLabels } from "../../lib/labels/store";

/** Sets each client's labels (as an import would), written as client → labels. */
export async function labelClients(byClient: Record<string, Record<string, string>>) {
  await replaceLabels(new Map(Object.entries(byClient)));
}
