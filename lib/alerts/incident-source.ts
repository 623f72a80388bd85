// The incidents that folding and `incident` rules read: lib/incidents' own
// read functions (the detector is that module's; alerts only consult it).
import {
  getIncident,
  incidentsChangedSince,
  openIncidentsForClients,
  resolveIncident,
} from "../incidents";
import type { IncidentSource } from "./fold";

export const LIVE_INCIDENTS: IncidentSource = {
  openIncidentsForClients,
  resolveIncident,
  incidentsChangedSince,
  async incidentClients(id, limit) {
    return (await getIncident(id, { limit })).clients;
  },
};
