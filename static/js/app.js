// Starts GOV.UK Frontend's components. Loaded with `defer`, so the body exists; no inline script.
document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
  window.GOVUKFrontend.initAll();
}
