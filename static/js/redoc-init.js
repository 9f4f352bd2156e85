// Starts Redoc on the API reference page (templates/drf_spectacular/redoc.html) without inline script:
// the schema URL is on the container, drf-spectacular's Redoc settings (a JSON text) in a JSON script element.
(function () {
  var container = document.getElementById("redoc-container");
  var raw = JSON.parse(document.getElementById("redoc-settings").textContent);
  var settings = typeof raw === "string" ? JSON.parse(raw) : raw;
  Redoc.init(container.getAttribute("data-spec-url"), settings, container);
})();
