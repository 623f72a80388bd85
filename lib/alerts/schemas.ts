// Request bodies and views of the alerts API (docs/api.md, "Alerts").
import { z } from "zod";
import { LabelsObject } from "../labels/schemas";
import { CHANNEL_TYPES } from "./channels";
import { ALERT_KINDS } from "./reference";

const MAX_SECONDS = 30 * 86_400;

export const SelectorBody = z
  .object({
    /** Every label must match (the same key and value rules as client labels). */
    labels: LabelsObject.optional(),
    clientIdPattern: z.string().min(1).max(256).optional(),
  })
  .strict();

const ruleFields = {
  name: z.string().trim().min(1).max(200),
  kind: z.enum(ALERT_KINDS),
  selector: SelectorBody.default({}),
  forSeconds: z.number().int().min(0).max(MAX_SECONDS).default(0),
  threshold: z.number().positive().nullable().default(null),
  thresholdShare: z.number().gt(0).max(1).nullable().default(null),
  windowSeconds: z.number().int().min(1).max(MAX_SECONDS).nullable().default(null),
  channelIds: z.array(z.uuid()).max(20).default([]),
  enabled: z.boolean().default(true),
};

export const CreateRuleBody = z.object(ruleFields).strict();
export type CreateRuleBody = z.infer<typeof CreateRuleBody>;

export const PatchRuleBody = z
  .object({
    name: ruleFields.name.optional(),
    kind: ruleFields.kind.optional(),
    selector: SelectorBody.optional(),
    forSeconds: z.number().int().min(0).max(MAX_SECONDS).optional(),
    threshold: z.number().positive().nullable().optional(),
    thresholdShare: z.number().gt(0).max(1).nullable().optional(),
    windowSeconds: z.number().int().min(1).max(MAX_SECONDS).nullable().optional(),
    channelIds: z.array(z.uuid()).max(20).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type PatchRuleBody = z.infer<typeof PatchRuleBody>;

export const CreateChannelBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    type: z.enum(CHANNEL_TYPES),
    url: z.string().min(1).max(2048).optional(),
    secret: z.string().min(1).max(512).optional(),
    /** Email recipients, comma-separated. */
    to: z.string().min(3).max(2048).optional(),
  })
  .strict();
export type CreateChannelBody = z.infer<typeof CreateChannelBody>;

export const PatchChannelBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    url: z.string().min(1).max(2048).optional(),
    secret: z.string().min(1).max(512).optional(),
    to: z.string().min(3).max(2048).optional(),
  })
  .strict();
export type PatchChannelBody = z.infer<typeof PatchChannelBody>;

const isoTime = z.iso.datetime({ offset: true });

export const CreateSilenceBody = z
  .object({
    selector: SelectorBody.optional(),
    ruleIds: z.array(z.uuid()).max(50).optional(),
    startsAt: isoTime.optional(),
    endsAt: isoTime,
    reason: z.string().trim().min(1).max(500),
  })
  .strict();
export type CreateSilenceBody = z.infer<typeof CreateSilenceBody>;

export const AlertsQuery = z.object({
  state: z.enum(["firing", "resolved"]).optional(),
  clientId: z.string().min(1).max(128).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,19}$/, "cursor must be the nextCursor of a previous page")
    .optional(),
});
export type AlertsQuery = z.infer<typeof AlertsQuery>;
