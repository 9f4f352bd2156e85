/* 解困 — behaviour every page may use, without inline script (the Content-Security-Policy allows none):
 * <button data-print> prints the page; <form data-confirm="…"> asks before it submits. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-print]");
    if (target) { event.preventDefault(); window.print(); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
})();
