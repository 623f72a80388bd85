"use client";

import { useState } from "react";
import { toLocalInput } from "../format/time";
import { DateTimeField } from "../ui/DateTimeField";
import { ToggleGroup } from "../ui/ToggleGroup";
import type { DeviceRange, RangeKey } from "./range";

const LABELS: Record<RangeKey, string> = {
  "24h": "24 h",
  "7d": "7 days",
  "30d": "30 days",
  custom: "Custom",
};
const inline = "flex items-center gap-1";

/** 24 h / 7 d / 30 d / custom; the choice is written to the URL. */
export function RangePicker({
  range,
  onChange,
}: {
  range: DeviceRange;
  onChange: (patch: Record<string, string | undefined>) => void;
}) {
  const initial = range.bounds();
  const [from, setFrom] = useState(range.fromInput || toLocalInput(initial.from));
  const [to, setTo] = useState(range.toInput || toLocalInput(initial.to));
  const [custom, setCustom] = useState(range.key === "custom");
  const selected: RangeKey = custom ? "custom" : range.key;

  return (
    <div className="flex flex-wrap items-center gap-2">
      <ToggleGroup
        label="Time range"
        options={LABELS}
        selected={selected}
        onSelect={(key) => {
          if (key === "custom") {
            setCustom(true);
            return;
          }
          setCustom(false);
          onChange({ range: key === "24h" ? undefined : key, from: undefined, to: undefined });
        }}
      />
      {selected === "custom" ? (
        <form
          className="flex flex-wrap items-center gap-2 text-xs"
          onSubmit={(e) => {
            e.preventDefault();
            onChange({ range: "custom", from, to });
          }}
        >
          <DateTimeField label="From" value={from} onValue={setFrom} className={inline} />
          <DateTimeField label="To" value={to} onValue={setTo} className={inline} />
          <button
            type="submit"
            disabled={!(from && to && from < to)}
            className="rounded-md bg-sky-700 px-3 py-1 font-medium text-white disabled:opacity-50 hover:bg-sky-800"
          >
            Apply
          </button>
        </form>
      ) : null}
    </div>
  );
}
