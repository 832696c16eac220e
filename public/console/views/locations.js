// Locations: where stock is, in allocation order; an admin adds or changes one.
import { call, write } from "../api.js";
import { $, el, fill } from "../dom.js";
import { writeAction } from "../ui.js";

let known = null;

/** The locations for a form's choices, active ones first in allocation order (read once, then on a change). */
export async function locationOptions() {
  known ??= (await call("GET", "/v1/locations")).items;
  return known.map((l) => ({ id: l.id, label: `${l.name} (${l.id})${l.active ? "" : ", inactive"}` }));
}

async function list() {
  known = (await call("GET", "/v1/locations")).items;
  fill($("location-table"), [
    ["id", (l) => l.id, { key: true }],
    ["name", (l) => l.name, { key: true }],
    ["priority", (l) => l.priority, true],
    ["active", (l) => (l.active ? "active" : "inactive")],
  ], known, "No locations.");
}

writeAction($("location-form"), () => `Save location ${$("location-id").value.trim()} ("${$("location-name").value.trim()}", priority ${$("location-priority").value}, ${$("location-active").checked ? "active" : "inactive"})?`,
  () => write("PUT", `/v1/locations/${encodeURIComponent($("location-id").value.trim())}`, {
    name: $("location-name").value.trim(), priority: Number($("location-priority").value), active: $("location-active").checked,
  }),
  async (l) => { $("location-form").reset(); await list(); return `Location ${l.id} saved.`; });

export const locationsView = { show: () => list() };
