import { SOURCE_LABELS, type Source } from "@/contract/sources";

const STYLES: Record<Source, string> = {
  aws: "border-orange-300 text-orange-900 dark:border-orange-800 dark:text-orange-200",
  emqx: "border-violet-300 text-violet-900 dark:border-violet-800 dark:text-violet-200",
  azure: "border-sky-300 text-sky-900 dark:border-sky-800 dark:text-sky-200",
};

/** Where a client's lifecycle events come from: AWS IoT, EMQX or Azure IoT Hub. */
export function SourceBadge({ source }: { source: Source }) {
  return (
    <span
      title={`Events from ${SOURCE_LABELS[source]}`}
      data-source={source}
      className={`inline-flex items-center rounded border px-1 py-px font-sans text-[11px] font-medium ${STYLES[source]}`}
    >
      {source}
    </span>
  );
}
