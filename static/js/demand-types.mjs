// Log a contact: narrow "What did they ask for?" to the service the contact is about: the
// attached case's service, or the one chosen for a new case. Without JavaScript the list shows
// every service's types, grouped by service, and the server refuses a type of another service;
// this only saves a step.
export function narrowDemandTypes(root) {
  const types = root.querySelector("#id_demand_type");
  if (!types) return;
  const attached = root.querySelector("input[name=attach_to]:checked");
  const service = root.querySelector("#id_service_type");
  let chosen = "";
  if (attached && attached.dataset.service) {
    chosen = attached.dataset.service;
  } else if (service && service.value) {
    chosen = service.selectedOptions[0].textContent.trim();
  }
  for (const group of types.querySelectorAll("optgroup")) {
    const shown = !chosen || group.label === chosen;
    group.hidden = !shown;
    group.disabled = !shown;
  }
  const selected = types.selectedOptions[0];
  if (selected && selected.parentElement.disabled) types.value = "";
}
