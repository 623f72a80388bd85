import { ColumnHeadings } from "../ui/TableHead";
import { th } from "./styles";

/** The header row of an admin table: the named columns, then the row actions. */
export function AdminTableHead({ columns }: { columns: readonly string[] }) {
  return (
    <thead className="border-b border-slate-200 dark:border-slate-800">
      <tr>
        <ColumnHeadings columns={columns} className={th} />
        <th scope="col" className={th}>
          <span className="sr-only">Actions</span>
        </th>
      </tr>
    </thead>
  );
}
