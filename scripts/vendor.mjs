// Copies the pinned npm packages' built files into static/vendor/ (committed, so a council
// network needs no internet at run time). Run with `npm ci && npm run vendor`.
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";

const out = "static/vendor";

// Empties static/vendor/<name>/ so files dropped by an upgrade do not linger.
function freshDir(name) {
  rmSync(`${out}/${name}`, { recursive: true, force: true });
  mkdirSync(`${out}/${name}`, { recursive: true });
}

// Copies a package's licence file(s), when it ships one, next to its vendored files.
function copyLicence(pkg, name) {
  for (const file of ["LICENSE", "LICENSE.md", "LICENSE.txt"]) {
    const from = `node_modules/${pkg}/${file}`;
    if (existsSync(from)) cpSync(from, `${out}/${name}/${file}`);
  }
}

// GOV.UK Frontend compiled from its Sass with CouncilFlow's settings: a council is not GOV.UK,
// so no GDS Transport font or crown, and asset paths relative to the stylesheet.
freshDir("govuk-frontend");
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

// Chart.js: the UMD build (sets window.Chart; no bundler needed). Its source map is copied too,
// because the file ends with a sourceMappingURL comment and Django's manifest storage
// (collectstatic) fails on a reference to a missing file.
freshDir("chart.js");
cpSync("node_modules/chart.js/dist/chart.umd.min.js", `${out}/chart.js/chart.umd.min.js`);
cpSync("node_modules/chart.js/dist/chart.umd.min.js.map", `${out}/chart.js/chart.umd.min.js.map`);
copyLicence("chart.js", "chart.js");
console.log("vendored chart.js into", out);

// chartjs-plugin-annotation: the UMD build; it reads window.Chart (so load it after Chart.js)
// and sets window["chartjs-plugin-annotation"].
freshDir("chartjs-plugin-annotation");
cpSync(
  "node_modules/chartjs-plugin-annotation/dist/chartjs-plugin-annotation.min.js",
  `${out}/chartjs-plugin-annotation/chartjs-plugin-annotation.min.js`,
);
copyLicence("chartjs-plugin-annotation", "chartjs-plugin-annotation");
console.log("vendored chartjs-plugin-annotation into", out);
