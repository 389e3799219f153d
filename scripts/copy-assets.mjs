// Copies GOV.UK Frontend's images and script into static/build/ (git-ignored, collected by Django).
import { cpSync, mkdirSync } from "node:fs";

const source = "node_modules/govuk-frontend/dist/govuk";
mkdirSync("static/build", { recursive: true });
cpSync(`${source}/assets`, "static/build/assets", { recursive: true });
// The UMD bundle, so that a plain deferred script (no inline code, no module paths) can start it.
cpSync(`${source}/all.bundle.js`, "static/build/govuk-frontend.js");
// Its source map, which the bundle names: collectstatic's manifest storage refuses a missing one.
cpSync(`${source}/all.bundle.js.map`, "static/build/all.bundle.js.map");
