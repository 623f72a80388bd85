// Incidents (docs/incidents.md): fleet-wide bursts of disconnects.
export { DEFAULT_INCIDENT_CONFIG, incidentConfig, type IncidentConfig } from "./config";
export type { DetectedIncident, DisconnectPoint, IncidentClient } from "./detect";
export { INCIDENTS_CHANNEL, runIncidentDetection, type DetectionResult } from "./job";
export { getIncident, listIncidents } from "./read";
export {
  incidentsChangedSince,
  openIncidentsForClients,
  resolveIncident,
  type IncidentRef,
} from "./refs";
export { startIncidentScheduler } from "./scheduler";
