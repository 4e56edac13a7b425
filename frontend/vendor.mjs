// Copies the browser files the templates load into static/dist/ (see ../shared/GOVUK.md, approach B).
// `npm run build:css` writes static/dist/css/app.css; this script writes static/dist/js/ and
// static/dist/assets/. Source maps are copied too: whitenoise's manifest storage rewrites each
// `//# sourceMappingURL=` comment and a clean `collectstatic` fails if the map is missing.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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

const scripts = [
  "govuk-frontend/dist/govuk/govuk-frontend.min.js",
  "@ministryofjustice/frontend/moj/moj-frontend.min.js",
  "htmx.org/dist/htmx.min.js",
  "vega/build/vega.min.js",
  "vega-lite/build/vega-lite.min.js",
  "vega-embed/build/vega-embed.min.js",
];

let copied = 0;
for (const script of scripts) {
  const source = join(modules, script);
  const name = script.split("/").pop();
  cpSync(source, join(dist, "js", name));
  copied += 1;
  // Copy the map whenever the file points at one, and fail loudly if it is absent.
  const mapRef = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(source, "utf8"));
  if (mapRef) {
    const map = join(dirname(source), mapRef[1]);
    if (!existsSync(map)) {
      throw new Error(`${script} names a source map that does not exist: ${mapRef[1]}`);
    }
    cpSync(map, join(dist, "js", mapRef[1]));
    copied += 1;
  }
}

// The service's own scripts, written as plain browser scripts (no build step of their own).
for (const script of ["timeout-warning.js"]) {
  cpSync(join(root, "frontend", script), join(dist, "js", script));
  copied += 1;
}

console.log(`vendor: copied ${copied} files into static/dist/js and the assets into static/dist/assets`);
