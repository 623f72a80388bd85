import type { ImportAnswer } from "../hooks/use-labels";
import { Panel } from "../ui/Panel";
import { LabelChips } from "../ui/LabelChips";

/** What an import would change: totals, then the first changed clients before and after. */
export function ImportPreview({ answer }: { answer: ImportAnswer }) {
  const p = answer.preview;
  if (p === undefined) return null;
  return (
    <Panel id="preview" title="Preview">
      <p className="text-sm text-slate-700 dark:text-slate-300" role="status">
        {answer.clients} clients and {answer.labels} labels in the file: {p.changedClients} clients
        change ({p.added} labels added, {p.changed} changed, {p.removed} removed).
      </p>
      {p.items.length > 0 ? (
        <table className="mt-3 w-full text-left text-sm">
          <thead className="text-xs text-slate-600 dark:text-slate-400">
            <tr>
              <th scope="col" className="py-1 pr-3 font-medium">
                Client ID
              </th>
              <th scope="col" className="py-1 pr-3 font-medium">
                Now
              </th>
              <th scope="col" className="py-1 font-medium">
                After the import
              </th>
            </tr>
          </thead>
          <tbody>
            {p.items.map((item) => (
              <tr key={item.clientId} className="border-t border-slate-100 dark:border-slate-800">
                <td className="py-1.5 pr-3 font-mono text-[13px]">{item.clientId}</td>
                <td className="py-1.5 pr-3">
                  {Object.keys(item.before).length === 0 ? (
                    "—"
                  ) : (
                    <LabelChips labels={item.before} />
                  )}
                </td>
                <td className="py-1.5">
                  {Object.keys(item.after).length === 0 ? "—" : <LabelChips labels={item.after} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {p.changedClients > p.items.length ? (
        <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">
          The first {p.items.length} of {p.changedClients} changed clients are shown.
        </p>
      ) : null}
    </Panel>
  );
}
