// Log a contact: narrow "What did they ask for?" to the chosen service's demand types.
// Without JavaScript the list shows every service's types, grouped by service, and the server
// refuses a type of another service; this only saves a step.
const service = document.getElementById("id_service_type");
const types = document.getElementById("id_demand_type");

if (service && types) {
  const groups = [...types.querySelectorAll("optgroup")];
  const narrow = () => {
    const chosen = service.value ? service.selectedOptions[0].textContent.trim() : "";
    for (const group of groups) {
      const shown = !chosen || group.label === chosen;
      group.hidden = !shown;
      group.disabled = !shown;
    }
    const selected = types.selectedOptions[0];
    if (selected && selected.parentElement.disabled) types.value = "";
  };
  service.addEventListener("change", narrow);
  narrow();
}
