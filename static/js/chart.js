/* 解困 — a tiny SVG bar chart (no library, no CDN), and the guide figures on the standards form.
 *
 * Charts: <div data-chart="ID" data-chart-part="counts|money"></div> draws the data of the
 * json_script element ID: {labels, series: [{name, cls, values}], money: {labels, series}}.
 * data-chart-type="line" draws the same data as lines (one per series), for trends over months.
 * Guidance: <form data-guidance="ID"> where ID holds {year: {dibao, subsidy_target, tekun_min}}
 * (computed on the server); the figures beside the fields follow the year and the entered dibao.
 */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var COLOURS = { up: "#1e7b34", down: "#b42318", old: "#9fb3c8", "new": "#0b5cad" };

  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function niceMax(value) {
    if (value <= 0) { return 1; }
    var step = Math.pow(10, Math.floor(Math.log10(value)));
    var m = [1, 2, 2.5, 5, 10].find(function (f) { return f * step >= value; });
    return m * step;
  }

  function fmt(n) {
    return Math.abs(n) >= 10000 ? (n / 10000).toFixed(1).replace(/\.0$/, "") + "万" : String(Math.round(n * 100) / 100);
  }

  /* Grouped vertical bars: one group per label, one bar per series; negative values go below zero. */
  function bars(container, data, opts) {
    opts = opts || {};
    var width = opts.width || 560, height = opts.height || 260;
    var pad = { top: 24, right: 12, bottom: 48, left: 56 };
    var all = [0];
    data.series.forEach(function (s) { all = all.concat(s.values); });
    var hi = niceMax(Math.max.apply(null, all)), lo = -niceMax(-Math.min.apply(null, all));
    if (Math.min.apply(null, all) >= 0) { lo = 0; }
    var plotH = height - pad.top - pad.bottom, plotW = width - pad.left - pad.right;
    var y = function (v) { return pad.top + (hi - v) / (hi - lo) * plotH; };
    var groupW = plotW / Math.max(1, data.labels.length);
    var barW = Math.max(4, (groupW * 0.8) / Math.max(1, data.series.length));
    var svg = el("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img",
      "font-size": "11", "font-family": "inherit" });
    [lo, (lo + hi) / 2, hi].forEach(function (t) {
      svg.appendChild(el("line", { x1: pad.left, x2: width - pad.right, y1: y(t), y2: y(t), stroke: "#d9e2ec" }));
      svg.appendChild(el("text", { x: pad.left - 6, y: y(t) + 4, "text-anchor": "end", fill: "#616e7c" }, fmt(t)));
    });
    svg.appendChild(el("line", { x1: pad.left, x2: width - pad.right, y1: y(0), y2: y(0), stroke: "#616e7c" }));
    data.labels.forEach(function (label, i) {
      var x0 = pad.left + i * groupW + groupW * 0.1;
      data.series.forEach(function (s, j) {
        var v = s.values[i] || 0, top = y(Math.max(v, 0)), h = Math.abs(y(v) - y(0));
        var rect = el("rect", { x: x0 + j * barW, y: top, width: barW - 2, height: Math.max(h, 0.5),
          fill: COLOURS[s.cls] || "#616e7c" });
        rect.appendChild(el("title", {}, label + " · " + s.name + "：" + v));
        svg.appendChild(rect);
        svg.appendChild(el("text", { x: x0 + j * barW + (barW - 2) / 2, y: (v >= 0 ? top - 3 : top + h + 11),
          "text-anchor": "middle", fill: "#1f2933" }, fmt(v)));
      });
      svg.appendChild(el("text", { x: pad.left + i * groupW + groupW / 2, y: height - pad.bottom + 16,
        "text-anchor": "middle", fill: "#1f2933" }, label.length > 8 ? label.slice(0, 8) + "…" : label));
    });
    data.series.forEach(function (s, j) {
      var lx = pad.left + j * 120;
      svg.appendChild(el("rect", { x: lx, y: height - 16, width: 10, height: 10, fill: COLOURS[s.cls] || "#616e7c" }));
      svg.appendChild(el("text", { x: lx + 14, y: height - 7, fill: "#1f2933" }, s.name));
    });
    container.innerHTML = "";
    container.appendChild(svg);
    return svg;
  }

  /* Lines: one polyline per series over the labels (months), a dot and its value at each point. */
  function lines(container, data, opts) {
    opts = opts || {};
    var width = opts.width || 560, height = opts.height || 260;
    var pad = { top: 24, right: 16, bottom: 48, left: 56 };
    var all = [0];
    data.series.forEach(function (s) { all = all.concat(s.values); });
    var hi = niceMax(Math.max.apply(null, all));
    var plotH = height - pad.top - pad.bottom, plotW = width - pad.left - pad.right;
    var n = Math.max(1, data.labels.length);
    var x = function (i) { return pad.left + (n === 1 ? plotW / 2 : i * plotW / (n - 1)); };
    var y = function (v) { return pad.top + (hi - v) / hi * plotH; };
    var svg = el("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img",
      "font-size": "11", "font-family": "inherit" });
    [0, hi / 2, hi].forEach(function (t) {
      svg.appendChild(el("line", { x1: pad.left, x2: width - pad.right, y1: y(t), y2: y(t), stroke: "#d9e2ec" }));
      svg.appendChild(el("text", { x: pad.left - 6, y: y(t) + 4, "text-anchor": "end", fill: "#616e7c" }, fmt(t)));
    });
    var every = Math.ceil(n / 12);
    data.labels.forEach(function (label, i) {
      if (i % every === 0) {
        svg.appendChild(el("text", { x: x(i), y: height - pad.bottom + 16, "text-anchor": "middle", fill: "#1f2933" },
          label));
      }
    });
    data.series.forEach(function (s, j) {
      var colour = COLOURS[s.cls] || "#616e7c";
      var points = s.values.map(function (v, i) { return x(i) + "," + y(v || 0); }).join(" ");
      svg.appendChild(el("polyline", { points: points, fill: "none", stroke: colour, "stroke-width": 2 }));
      s.values.forEach(function (v, i) {
        var dot = el("circle", { cx: x(i), cy: y(v || 0), r: 3, fill: colour });
        dot.appendChild(el("title", {}, data.labels[i] + " · " + s.name + "：" + v));
        svg.appendChild(dot);
      });
      var lx = pad.left + j * 120;
      svg.appendChild(el("rect", { x: lx, y: height - 16, width: 10, height: 10, fill: colour }));
      svg.appendChild(el("text", { x: lx + 14, y: height - 7, fill: "#1f2933" }, s.name));
    });
    container.innerHTML = "";
    container.appendChild(svg);
    return svg;
  }

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  /* Money in fen from "580" / "580.5" / "580.55", exactly; null when it is not a plain amount. */
  function toFen(text) {
    var m = /^\s*(\d+)(?:\.(\d{0,2}))?\s*$/.exec(text || "");
    if (!m) { return null; }
    return parseInt(m[1], 10) * 100 + parseInt(((m[2] || "") + "00").slice(0, 2), 10);
  }

  function fenText(fen) {
    var cents = String(fen % 100);
    return Math.floor(fen / 100) + "." + (cents.length < 2 ? "0" + cents : cents);
  }

  function guidance(form) {
    var table = readJson(form.getAttribute("data-guidance"));
    var year = form.querySelector("[name=year]"), dibao = form.querySelector("[name=dibao]");
    if (!table || !year) { return; }
    function show(name, value) {
      form.querySelectorAll("[data-guide=" + name + "]").forEach(function (n) { n.textContent = value; });
    }
    function update() {
      var row = table[String(parseInt(year.value, 10))];
      if (row) {
        form.querySelectorAll("[data-guide-year]").forEach(function (n) { n.textContent = year.value; });
        show("dibao", row.dibao);
        show("subsidy_target", row.subsidy_target);
      }
      // 1.3 × the entered dibao (or the guided one), rounded half-up to 0.01, as on the server.
      var fen = toFen(dibao && dibao.value) ;
      if (fen === null && row) { fen = toFen(row.dibao); }
      if (fen !== null) { show("tekun_min", fenText(Math.floor((fen * 13 + 5) / 10))); }
    }
    year.addEventListener("input", update);
    if (dibao) { dibao.addEventListener("input", update); }
    update();
  }

  function init() {
    document.querySelectorAll("[data-chart]").forEach(function (node) {
      var data = readJson(node.getAttribute("data-chart"));
      if (!data) { return; }
      var part = node.getAttribute("data-chart-part") === "money" ? data.money : data;
      (node.getAttribute("data-chart-type") === "line" ? lines : bars)(node, part);
    });
    document.querySelectorAll("form[data-guidance]").forEach(guidance);
  }

  window.JiekunChart = { bars: bars, lines: lines };
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
