"use client";

import type { LabelFilter } from "@/contract/labels";
import { Skeleton } from "../ui/Skeleton";

/** A fleet chart's title, naming the label filter it is narrowed to, if any. */
export function chartTitle(subject: string, labels: readonly LabelFilter[]): string {
  return labels.length === 0
    ? subject
    : `${subject} · ${labels.map((f) => `${f.key}: ${f.value}`).join(", ")}`;
}

/** A chart's place while its data loads, or once loading it failed. */
export function ChartPlaceholder({
  failed,
  skeletonClassName,
  messageLayout,
}: {
  failed: boolean;
  skeletonClassName: string;
  /** Extra classes of the failure message, e.g. to centre it in the chart's height. */
  messageLayout?: string;
}) {
  if (!failed) return <Skeleton className={skeletonClassName} />;
  const message = "text-sm text-slate-600 dark:text-slate-400";
  return (
    <p className={messageLayout === undefined ? message : `${messageLayout} ${message}`}>
      The chart could not be loaded.
    </p>
  );
}
