// Vega-Lite charts, bundled by esbuild (frontend/vendor.mjs) into static/dist/js/charts.js and
// imported by app.js on pages that have a chart. The Content Security Policy forbids eval, so
// Vega's expressions run in its CSP-safe interpreter (ast: true, expr: vega-interpreter), and
// vega-embed's and vega-tooltip's own stylesheets are left out (no inline <style>): app.scss
// styles the chart and its tooltip.
import vegaEmbed from "vega-embed";
import { expressionInterpreter } from "vega-interpreter";

export function draw(target) {
  const spec = JSON.parse(document.getElementById(target.dataset.appChart).textContent);
  target.dataset.appChartDrawn = "true";
  return vegaEmbed(target, spec, {
    renderer: "svg",
    actions: false,
    ast: true,
    expr: expressionInterpreter,
    defaultStyle: false,
    tooltip: { disableDefaultStyle: true },
  });
}
