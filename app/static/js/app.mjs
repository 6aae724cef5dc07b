// Entry point: GOV.UK Frontend components, then our own behaviour.
import { initAll } from "../dist/govuk/govuk-frontend.min.js";
import { startSessionTimeout } from "./session-timeout.mjs";

initAll();
startSessionTimeout(document.getElementById("session-timeout-dialog"));
