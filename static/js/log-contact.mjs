// Log a contact, enhanced (templates/demand/log_contact.html). Without JavaScript every button
// submits the whole form and the page comes back with everything typed; with it:
// - finding, choosing or changing the citizen happens in place: the same POST is sent with
//   fetch and the page's form is swapped for the answer, keeping whatever was typed meanwhile;
// - results appear while the name or number is typed; the arrow keys move through them;
// - keys 1-9 choose a look-alike citizen and N adds a new one;
// - Ctrl+Enter logs the contact from anywhere on the form;
// - a saved form restored from the browser's back/forward cache is loaded afresh.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";
import { narrowDemandTypes } from "./demand-types.mjs";

const PAGE = "[data-log-contact]";
const IN_PLACE = new Set(["find", "change-citizen"]);
const SEARCH_DELAY_MS = 250;

const theForm = () => document.querySelector(PAGE);

function isInPlace(submitter) {
  if (!submitter) return false;
  if (submitter.name === "choose") return true;
  return submitter.name === "action" && IN_PLACE.has(submitter.value);
}

async function post(form, submitter) {
  const response = await fetch(form.getAttribute("action"), {
    method: "POST",
    body: new FormData(form, submitter),
    credentials: "same-origin",
    headers: { "X-Requested-With": "fetch" },
  });
  if (!response.ok || response.redirected) throw new Error(`HTTP ${response.status}`);
  return new DOMParser().parseFromString(await response.text(), "text/html");
}

// Text typed while the request was on its way is kept: the answer holds what was sent.
function keepTyping(oldForm, newForm) {
  for (const box of oldForm.querySelectorAll("textarea, input[type=text], input[type=email], input[type=tel], input:not([type])")) {
    const twin = newForm.querySelector(`[name="${box.name}"]`);
    if (twin && twin.tagName === box.tagName && twin.value !== box.value && box.value.startsWith(twin.value)) {
      twin.value = box.value;
    }
  }
}

function swapPage(answer) {
  const column = document.querySelector("[data-log-contact-page]");
  const fresh = answer.querySelector("[data-log-contact-page]");
  if (!column || !fresh) throw new Error("not the log-a-contact page");
  keepTyping(column.querySelector(PAGE), fresh.querySelector(PAGE));
  column.replaceWith(fresh);
  document.title = answer.title;
  initAll({ scope: fresh });
  narrowDemandTypes(fresh);
  const focus = fresh.querySelector("[autofocus]");
  if (focus) focus.focus();
}

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.matches(PAGE)) return;
  if (!isInPlace(event.submitter) || form.dataset.plain) {
    form.dataset.sent = "true";
    return;
  }
  event.preventDefault();
  const submitter = event.submitter;
  form.setAttribute("aria-busy", "true");
  try {
    swapPage(await post(form, submitter));
  } catch {
    // Signed out, an outage, anything unexpected: send it the ordinary way.
    form.dataset.plain = "true";
    form.requestSubmit(submitter);
  }
});

// Results while typing: only the list is replaced, so nothing else on the page moves.
let searchTimer;
let searchSeq = 0;
document.addEventListener("input", (event) => {
  const box = event.target;
  if (!box.matches("[data-citizen-search]")) return;
  clearTimeout(searchTimer);
  searchTimer = setTimeout(async () => {
    const form = box.form;
    const seq = ++searchSeq;
    const finder = form.querySelector("button[name=action][value=find]:not([tabindex])");
    try {
      const answer = await post(form, finder);
      const results = answer.querySelector("[data-citizen-results]");
      const current = form.querySelector("[data-citizen-results]");
      if (seq !== searchSeq || !results || !current) return;
      for (const auto of results.querySelectorAll("[autofocus]")) auto.removeAttribute("autofocus");
      current.replaceWith(results);
    } catch {
      // The Find citizen button still works.
    }
  }, SEARCH_DELAY_MS);
});

document.addEventListener("change", (event) => {
  const form = event.target.form;
  if (form && form.matches(PAGE)) narrowDemandTypes(form);
});

function choicesOf(form) {
  return [...form.querySelectorAll("[data-citizen-results] .cf-choice")];
}

document.addEventListener("keydown", (event) => {
  const form = theForm();
  if (!form || !form.contains(event.target)) return;
  const target = event.target;

  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    form.requestSubmit(form.querySelector("[data-save]"));
    return;
  }

  const choices = choicesOf(form);
  const at = choices.indexOf(target);
  if (target.matches("[data-citizen-search]") && event.key === "ArrowDown" && choices.length) {
    event.preventDefault();
    choices[0].focus();
  } else if (at >= 0 && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
    event.preventDefault();
    const next = at + (event.key === "ArrowDown" ? 1 : -1);
    if (next < 0) form.querySelector("[data-citizen-search]").focus();
    else if (next < choices.length) choices[next].focus();
  } else if (at >= 0 && event.key === "Escape") {
    form.querySelector("[data-citizen-search]").focus();
  }

  // Is this one of these people? A number chooses one, N adds a new citizen.
  const panel = form.querySelector("[data-look-alikes]");
  const typing = target.matches("textarea, input:not([type=radio]):not([type=checkbox]), select");
  if (panel && !typing && !event.ctrlKey && !event.altKey && !event.metaKey) {
    const key = event.key.toLowerCase();
    const button = panel.querySelector(`[data-key="${CSS.escape(key)}"]`);
    if (button) {
      event.preventDefault();
      form.requestSubmit(button);
    }
  }
});

window.addEventListener("pageshow", (event) => {
  // Restored from the back/forward cache after it was sent: show a fresh form instead, so a
  // saved form cannot be sent again. One left unsent keeps what was typed.
  const form = theForm();
  if (event.persisted && form && form.dataset.sent) window.location.replace(form.getAttribute("action"));
});

const form = theForm();
if (form) narrowDemandTypes(form);
