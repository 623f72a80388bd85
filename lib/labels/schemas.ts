import { z } from "zod";
import {
  labelKeyProblem,
  labelValueProblem,
  MAX_LABELS_PER_CLIENT,
  type Labels,
} from "../../contract/labels";

/** A client's labels: `{key: value}`, every key and value checked with the contract's words. */
export const LabelsObject = z
  .record(z.string(), z.string({ error: "label values must be strings" }), {
    error: "must be an object of key: value strings",
  })
  .superRefine((labels, ctx) => {
    const entries = Object.entries(labels);
    if (entries.length > MAX_LABELS_PER_CLIENT) {
      ctx.addIssue({
        code: "custom",
        message: `a client carries at most ${MAX_LABELS_PER_CLIENT} labels; got ${entries.length}`,
      });
      return;
    }
    for (const [key, value] of entries) {
      const problem = labelKeyProblem(key) ?? labelValueProblem(key, value);
      if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
    }
  });

export const FacetQuery = z.object({
  key: z.string({ error: "key is required (a label key, e.g. site)" }).superRefine((key, ctx) => {
    const problem = labelKeyProblem(key);
    if (problem !== null) ctx.addIssue({ code: "custom", message: problem });
  }),
});

/** Per value of one key: seen clients, how many are online, and labelled clients never seen. */
export interface LabelFacet {
  key: string;
  items: { value: string; clients: number; online: number; neverSeen: number }[];
}

export const PutLabelsBody = z.object(
  { labels: LabelsObject },
  { error: 'body must be {"labels": {key: value, …}}' },
);

export interface LabelsView {
  labels: Labels;
}

export interface ImportResult {
  clients: number;
  labels: number;
  rejected: { line?: number; index?: number; error: string }[];
}
