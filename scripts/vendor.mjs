// Copies the pinned npm packages' built files into static/vendor/ (committed, so a council
// network needs no internet at run time). Run with `npm ci && npm run vendor`.
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";

const out = "static/vendor";
rmSync(`${out}/govuk-frontend`, { recursive: true, force: true });
mkdirSync(`${out}/govuk-frontend`, { recursive: true });

// GOV.UK Frontend compiled from its Sass with CouncilFlow's settings: a council is not GOV.UK,
// so no GDS Transport font or crown, and asset paths relative to the stylesheet.
execFileSync(
  "node_modules/.bin/sass",
  [
    "--load-path=node_modules",
    "--style=compressed",
    "--no-source-map",
    "--quiet-deps",
    "static/scss/councilflow.scss",
    `${out}/govuk-frontend/councilflow.min.css`,
  ],
  { stdio: "inherit" },
);
cpSync("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", `${out}/govuk-frontend/govuk-frontend.min.js`);
cpSync("node_modules/govuk-frontend/dist/govuk/assets/images", `${out}/govuk-frontend/images`, { recursive: true });
console.log("vendored govuk-frontend into", out);
