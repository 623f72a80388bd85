import { z } from "zod";
import { Instant } from "../clients/schemas";

export const ListIncidentsQuery = z
  .object({
    from: Instant.optional(),
    to: Instant.optional(),
    /** The incidents one device was part of (the device page). */
    clientId: z
      .string()
      .min(1)
      .refine(
        (id) => Buffer.byteLength(id, "utf8") <= 128 && !id.includes("\0"),
        "clientId must be at most 128 bytes, without NUL",
      )
      .optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .refine((r) => r.from === undefined || r.to === undefined || r.from <= r.to, {
    message: "from must not be after to",
  });
export type ListIncidentsQuery = z.infer<typeof ListIncidentsQuery>;

export const IncidentClientsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(1024).optional(),
});
export type IncidentClientsQuery = z.infer<typeof IncidentClientsQuery>;

export interface IncidentItem {
  id: string;
  startedAt: string;
  endedAt: string | null;
  affectedClients: number;
  reasons: Record<string, number>;
  reconnectedClients: number;
  /** Client labels do not exist yet: always {} until they do. */
  labels: Record<string, Record<string, number>>;
}

export interface IncidentClientDetail {
  clientId: string;
  disconnectedAt: string;
  disconnectReason: string | null;
  principalIdentifier: string | null;
  ipAddress: string | null;
  reconnectedAt: string | null;
  recoverySeconds: number | null;
}

export interface IncidentDetail extends IncidentItem {
  /** Set when the requested ID was merged into this incident by late events. */
  requestedId: string;
  clients: string[];
  clientDetails: IncidentClientDetail[];
  nextCursor: string | null;
  principals: Array<{ principalIdentifier: string | null; clients: number }>;
  networks: Array<{ network: string | null; clients: number }>;
  recovery: {
    reconnectedClients: number;
    medianSeconds: number | null;
    p90Seconds: number | null;
    maxSeconds: number | null;
  };
}
