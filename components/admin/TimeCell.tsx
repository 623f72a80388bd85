"use client";

import { LocalTime } from "../ui/LocalTime";
import { td } from "./styles";

/** An admin table's cell holding one instant, short and on one line. */
export function TimeCell({ iso, cell = td }: { iso: string | null; cell?: string }) {
  return (
    <td className={`${cell} whitespace-nowrap`}>
      <LocalTime iso={iso} short />
    </td>
  );
}
