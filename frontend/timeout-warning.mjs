// GOV.UK's timeout warning for signed-in pages (src/omp/web/templates/includes/timeout_warning.html).
//
// The server ends a session after a set time without a request (omp.web.sessions). Shortly
// before that, this opens a modal dialog counting down, with "Stay signed in" (which tells the
// server the user is still here) and "Sign out". It asks the server how long is left before
// warning, so a session kept busy in another tab is not ended here. When the time is up the
// page goes to the signed-out page. Pressing Escape is taken as "Stay signed in".
// Bundled into static/dist/js/app.js (frontend/app.mjs).
export function startTimeoutWarning() {
  var dialog = document.getElementById("timeout-warning");
  if (!dialog || typeof dialog.showModal !== "function" || !window.fetch) return;

  var statusUrl = dialog.dataset.statusUrl;
  var signedOutUrl = dialog.dataset.signedOutUrl;
  var warningSeconds = Number(dialog.dataset.warningSeconds);
  var countdown = dialog.querySelector("[data-countdown]");
  var announcement = dialog.querySelector("[data-announcement]");
  var stayButton = dialog.querySelector("[data-stay-signed-in]");
  var nextCheck = null;
  var ticker = null;
  var deadline = 0;

  function words(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    var parts = [];
    if (minutes) parts.push(minutes + (minutes === 1 ? " minute" : " minutes"));
    if (rest || !minutes) parts.push(rest + (rest === 1 ? " second" : " seconds"));
    return parts.join(" ");
  }

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function ask(method) {
    var headers = { Accept: "application/json" };
    if (method === "POST") headers["X-CSRFToken"] = csrfToken();
    return fetch(statusUrl, { method: method, headers: headers, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("Session status answered " + response.status);
        return response.json();
      })
      .then(update)
      .catch(function () {
        // The server did not answer: ask again shortly rather than sign anyone out.
        schedule(warningSeconds + 30);
      });
  }

  function schedule(secondsLeft) {
    clearTimeout(nextCheck);
    nextCheck = setTimeout(function () { ask("GET"); },
                           Math.max(secondsLeft - warningSeconds, 1) * 1000);
  }

  function close() {
    clearInterval(ticker);
    ticker = null;
    if (dialog.open) dialog.close();
  }

  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    countdown.textContent = words(left);
    if (left % 30 === 0) announcement.textContent = "We will sign you out in " + words(left) + ".";
    if (left === 0) {
      clearInterval(ticker);
      ticker = null;
      ask("GET");
    }
  }

  function open(secondsLeft, canStay) {
    deadline = Date.now() + secondsLeft * 1000;
    stayButton.hidden = !canStay;
    if (!dialog.open) {
      announcement.textContent = "We will sign you out in " + words(secondsLeft) + ".";
      dialog.showModal();
    }
    tick();
    if (!ticker) ticker = setInterval(tick, 1000);
  }

  function update(status) {
    if (!status.signed_in) {
      close();
      window.location.assign(signedOutUrl);
      return;
    }
    if (status.seconds_left > warningSeconds) {
      close();
      schedule(status.seconds_left);
      return;
    }
    open(Math.max(status.seconds_left, 0), status.can_stay);
    // Ask again when the time is up (the server ends the session then).
    clearTimeout(nextCheck);
  }

  stayButton.addEventListener("click", function () { ask("POST"); });
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    ask("POST");
  });

  schedule(Number(dialog.dataset.idleSeconds));
}
