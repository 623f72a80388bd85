// Site labels for the demo's simulated devices, so a fresh `npm start`
// shows label filters with something to filter.
import type { Labels } from "../../contract/labels";
import { fleetClientId } from "./index";

export const SIMULATED_SITES = ["berlin", "paris", "madrid"] as const;

/** The labels of simulated device `index`: its site, by index. */
export function simulatedLabels(index: number): Labels {
  return { site: SIMULATED_SITES[index % SIMULATED_SITES.length]! };
}

/** The labels of a simulated fleet of `devices` devices named with `prefix`. */
export function simulatedFleetLabels(prefix: string, devices: number): Map<string, Labels> {
  const out = new Map<string, Labels>();
  for (let i = 0; i < devices; i += 1) out.set(fleetClientId(prefix, i), simulatedLabels(i));
  return out;
}
