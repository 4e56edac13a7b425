// Writes the browser files the templates load into static/dist/ (see ../shared/GOVUK.md,
// approach B). `npm run build:css` writes static/dist/css/app.css; this script writes
// static/dist/js/ and static/dist/assets/:
//   js/app.js      every page's behaviour (frontend/app.mjs: GOV.UK and MoJ Frontend, the
//                  timeout warning, the chart loader), bundled by esbuild;
//   js/charts.js   Vega, Vega-Lite, vega-embed and the CSP-safe vega-interpreter
//                  (frontend/charts.mjs), bundled by esbuild, loaded only where there is a chart;
//   js/htmx.min.js copied as published.
// Source maps are written or copied too: whitenoise's manifest storage rewrites each
// `//# sourceMappingURL=` comment and a clean `collectstatic` fails if the map is missing.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const modules = join(root, "node_modules");
const dist = join(root, "static", "dist");

// Start from empty js/ and assets/ so files dropped upstream do not linger; css/ is left alone.
for (const dir of ["js", "assets"]) {
  rmSync(join(dist, dir), { recursive: true, force: true });
}
mkdirSync(join(dist, "js"), { recursive: true });

// Fonts and images: GOV.UK's assets, with MoJ's images merged into assets/images (no name clashes).
cpSync(join(modules, "govuk-frontend/dist/govuk/assets"), join(dist, "assets"), { recursive: true });
cpSync(join(modules, "@ministryofjustice/frontend/moj/assets/images"), join(dist, "assets/images"), {
  recursive: true,
  errorOnExist: true,
  force: false,
});

let written = 0;
for (const script of ["htmx.org/dist/htmx.min.js"]) {
  const source = join(modules, script);
  const name = script.split("/").pop();
  cpSync(source, join(dist, "js", name));
  written += 1;
  // Copy the map whenever the file points at one, and fail loudly if it is absent.
  const mapRef = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(source, "utf8"));
  if (mapRef) {
    const map = join(dirname(source), mapRef[1]);
    if (!existsSync(map)) {
      throw new Error(`${script} names a source map that does not exist: ${mapRef[1]}`);
    }
    cpSync(map, join(dist, "js", mapRef[1]));
    written += 1;
  }
}

// ES modules, one file each (no shared chunks): base.html loads app.js as a module, and app.js
// imports charts.js by the URL the page gives it, so both keep their hashed names in production.
const result = await build({
  entryPoints: [join(root, "frontend/app.mjs"), join(root, "frontend/charts.mjs")],
  outdir: join(dist, "js"),
  outExtension: { ".js": ".js" },
  bundle: true,
  format: "esm",
  minify: true,
  sourcemap: true,
  target: "es2020",
  legalComments: "linked",
  logLevel: "warning",
  metafile: true,
});
written += Object.keys(result.metafile.outputs).length;

console.log(`vendor: wrote ${written} files into static/dist/js and the assets into static/dist/assets`);
