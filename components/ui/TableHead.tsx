/** A column of a compact table: its heading, and whether it holds numbers (right-aligned). */
export type Column = string | { label: string; numeric: true };

/** The header row of a compact data table (incidents, the clients of one). */
export function TableHead({ columns }: { columns: readonly Column[] }) {
  return (
    <thead>
      <tr className="text-left text-xs text-slate-600 dark:text-slate-300">
        {columns.map((column, i) => {
          const label = typeof column === "string" ? column : column.label;
          const align = typeof column === "string" ? "" : " text-right";
          const pad = i === columns.length - 1 ? "" : " pr-3";
          return (
            <th key={label} scope="col" className={`pb-2${pad}${align} font-medium`}>
              {label}
            </th>
          );
        })}
      </tr>
    </thead>
  );
}

/** One `<th scope="col">` per heading, all styled alike. */
export function ColumnHeadings({
  columns,
  className,
}: {
  columns: readonly string[];
  className: string;
}) {
  return columns.map((column) => (
    <th key={column} scope="col" className={className}>
      {column}
    </th>
  ));
}
