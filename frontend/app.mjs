// Every page's own behaviour, bundled by esbuild (frontend/vendor.mjs) into static/dist/js/app.js
// and loaded as a module by base.html, so no page needs an inline script (the Content Security
// Policy allows only scripts served here, and the one nonced line that marks JavaScript as on):
// GOV.UK and MoJ Frontend components, again on whatever htmx swaps in; the timeout warning; and
// charts, whose Vega bundle (static/dist/js/charts.js) is fetched only by pages that have one.
import { initAll as govukInitAll } from "govuk-frontend";
import { initAll as mojInitAll } from "@ministryofjustice/frontend";

import { startTimeoutWarning } from "./timeout-warning.mjs";

let charts = null;

// Each chart is a <div data-app-chart="ID-OF-SPEC"> beside <script type="application/json"
// id="ID-OF-SPEC"> (src/omp/web/templates/includes/chart.html).
function drawCharts(scope) {
  const targets = [...scope.querySelectorAll("[data-app-chart]:not([data-app-chart-drawn])")];
  if (!targets.length) return;
  charts = charts || import(targets[0].dataset.chartsSrc);
  charts
    .then(({ draw }) => Promise.all(targets.map(draw)))
    .catch((error) => {
      charts = null;
      for (const target of targets) target.textContent = "The chart could not be drawn.";
      console.error(error);
    });
}

govukInitAll();
mojInitAll();
drawCharts(document);
startTimeoutWarning();

// Initialise only the content htmx has just swapped in.
document.body.addEventListener("htmx:afterSettle", (event) => {
  govukInitAll(event.detail.elt);
  mojInitAll(event.detail.elt);
  drawCharts(event.detail.elt);
});
