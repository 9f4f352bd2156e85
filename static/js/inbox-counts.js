/* Fills the navigation's counts (我的待办, 消息) from /inbox/counts.json, so no page pays for them in queries.
   Loaded as a file from static/ (no inline script: the Content-Security-Policy forbids it). */
(function () {
  "use strict";
  var nav = document.querySelector("[data-inbox-counts]");
  if (!nav || !window.fetch) { return; }
  fetch(nav.getAttribute("data-inbox-counts"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      if (!data) { return; }
      [["total", "#nav-inbox-count"], ["unread", "#nav-unread-count"]].forEach(function (pair) {
        var el = document.querySelector(pair[1]);
        if (el && data[pair[0]]) { el.textContent = String(data[pair[0]]); el.hidden = false; }
      });
    })
    .catch(function () { /* counts are a convenience; the pages work without them */ });
})();
