// Warns before the idle time-out and lets the user stay signed in. The server enforces the
// time-out whatever happens here (iom_housing/security/middleware.py); this file only warns. No inline script.
(function () {
  var dialog = document.getElementById("session-timeout-dialog");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var idleMs = Number(dialog.getAttribute("data-idle-seconds")) * 1000;
  var warningMs = Number(dialog.getAttribute("data-warning-seconds")) * 1000;
  var form = dialog.querySelector("form");
  var timeText = dialog.querySelector("[data-sign-out-time]");
  var warnTimer, expireTimer;
  var words = dialog.dataset; // the translated am, pm, midnight and midday

  // The site's one time format (iom_housing/dates.py, time_of_day): 5:30pm, 10am, midnight, midday.
  function timeOfDay(when) {
    var hour = when.getHours();
    var minute = when.getMinutes();
    if (minute === 0 && hour === 0) return words.midnight;
    if (minute === 0 && hour === 12) return words.midday;
    var clock = String(hour % 12 || 12) + (minute ? ":" + (minute < 10 ? "0" : "") + minute : "");
    return clock + (hour < 12 ? words.am : words.pm);
  }

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(expireTimer);
    var signOutAt = new Date(Date.now() + idleMs);
    warnTimer = setTimeout(function () {
      timeText.textContent = timeOfDay(signOutAt);
      dialog.showModal();
    }, idleMs - warningMs);
    // Past the time-out the server has signed the session out: reloading shows the sign-in page.
    expireTimer = setTimeout(function () {
      window.location.reload();
    }, idleMs + 2000);
  }

  function staySignedIn() {
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!response.ok || !json) {
          window.location.reload();
          return;
        }
        dialog.close();
        schedule();
      })
      .catch(function () {
        form.submit();
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    staySignedIn();
  });
  // Escape closes a modal dialog: take it as "stay signed in", as the GOV.UK time-out pattern does.
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    staySignedIn();
  });
  schedule();
})();
