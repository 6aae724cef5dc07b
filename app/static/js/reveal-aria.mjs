// GOV.UK Frontend's conditional reveals set aria-expanded on the radio or checkbox that opens a panel.
// ARIA does not allow that attribute on those roles (axe: aria-allowed-attr; govuk-frontend issue 979),
// and the panel follows its answer in the reading order anyway, so it is taken off again each time
// GOV.UK Frontend puts it back.

const REVEALING = ".govuk-radios__input[aria-expanded], .govuk-checkboxes__input[aria-expanded]";

function dropAriaExpanded() {
  for (const input of document.querySelectorAll(REVEALING)) {
    input.removeAttribute("aria-expanded");
  }
}

export function startRevealAria() {
  dropAriaExpanded();
  // GOV.UK Frontend's own listeners sit on each component, so they run before this one on the document.
  document.addEventListener("click", dropAriaExpanded);
  window.addEventListener("pageshow", dropAriaExpanded);
}
