// Entry point: GOV.UK Frontend components, then our own behaviour.
import { initAll } from "../dist/govuk/govuk-frontend.min.js";
import { startConditionalQuestions } from "./conditional-questions.mjs";
import { startCopyButtons } from "./copy-text.mjs";
import { startExportProgress } from "./export-progress.mjs";
import { startFollowUpReveal } from "./follow-up-reveal.mjs";
import { startRevealAria } from "./reveal-aria.mjs";
import { startSessionTimeout } from "./session-timeout.mjs";

initAll();
startRevealAria();
startSessionTimeout(document.getElementById("session-timeout-dialog"));
startConditionalQuestions(document.querySelector("form[data-questionnaire]"));
startFollowUpReveal(document.querySelector("form[data-questionnaire]"));
startCopyButtons(document);
startExportProgress(document.querySelector("[data-export-progress]"));
