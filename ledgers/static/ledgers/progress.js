/* 解困 — progress of a running job: an element with data-poll="URL" is refreshed every 2 seconds from the
 * small JSON at URL (fields shown in [data-field=NAME], <progress data-field-value=NAME>) while the key named by
 * data-poll-key is true; when it turns false after having been true, the job is over and the page reloads to
 * show the result. */
(function () {
  "use strict";
  function poll(box) {
    var url = box.getAttribute("data-poll"), key = box.getAttribute("data-poll-key"), seenBusy = false;
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          Object.keys(data).forEach(function (name) {
            box.querySelectorAll("[data-field=" + name + "]").forEach(function (n) { n.textContent = data[name]; });
            box.querySelectorAll("[data-field-value=" + name + "]").forEach(function (n) { n.value = data[name]; });
          });
          if (data[key]) {
            seenBusy = true;
            setTimeout(tick, 2000);
          } else if (seenBusy) {
            location.reload();
          }
        })
        .catch(function () { setTimeout(tick, 5000); });
    }
    tick();
  }
  function init() { document.querySelectorAll("[data-poll]").forEach(poll); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
