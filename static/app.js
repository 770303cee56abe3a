// Starts the GOV.UK Frontend components on every page (kept out of the page so the CSP needs no inline script).
import { initAll } from "/static/govuk/govuk-frontend.min.js";

initAll();
