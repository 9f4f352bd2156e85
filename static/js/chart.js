/* 解困 — a tiny SVG bar and line chart (no library, no CDN), drawn at its box's width, and the guide figures on the standards form.
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

  /* Charts are drawn at the pixel width of their box (no scaling, so the text stays 12 px at any width) and
   * redrawn when the box changes width. Labels never overlap: x labels are thinned to every k-th and shortened
   * to their slot, a value is written on a bar only when it fits the bar, and the legend wraps. */
  /* Text is measured as the chart draws it: an SVG text in the page, in the page's font, so a label fits on every
   * machine whatever font the browser falls back to for Chinese (a canvas measured with another fallback font
   * than the SVG's, and labels overlapped). */
  var FONT = 12, meter = null, widths = {};
  function textW(s) {
    s = String(s);
    if (widths[s] !== undefined) { return widths[s]; }
    if (!meter) {
      var box = el("svg", { width: 1, height: 1, "font-size": FONT, "font-family": "inherit", "aria-hidden": "true" });
      box.style.position = "absolute";
      box.style.left = box.style.top = "0";
      box.style.visibility = "hidden";
      meter = el("text", { x: 0, y: 10 }, "");
      box.appendChild(meter);
      document.body.appendChild(box);
    }
    meter.textContent = s;
    widths[s] = meter.getComputedTextLength();
    return widths[s];
  }

  function shorten(label, room) {
    label = String(label);
    if (textW(label) <= room) { return label; }
    while (label.length > 1 && textW(label + "…") > room) { label = label.slice(0, -1); }
    return label + "…";
  }

  /* The legend's items placed left to right, wrapping; returns {items: [{x, row}], rows}. */
  function legendLayout(series, width, left) {
    var x = left, row = 0, items = [];
    series.forEach(function (s) {
      var w = 14 + textW(s.name) + 18;
      if (x > left && x + w > width) { x = left; row += 1; }
      items.push({ x: x, row: row });
      x += w;
    });
    return { items: items, rows: row + 1 };
  }

  function frame(container, data, opts) {
    var width = Math.max(160, Math.floor(opts.width || container.clientWidth || 560));
    var height = opts.height || (width < 480 ? 230 : 260);
    var legend = legendLayout(data.series, width, 8);
    var pad = { top: 20, right: 12, bottom: 30 + legend.rows * 18, left: 8 };
    var all = [0];
    data.series.forEach(function (s) { all = all.concat(s.values.map(function (v) { return v || 0; })); });
    var hi = niceMax(Math.max.apply(null, all)), lo = Math.min.apply(null, all) >= 0 ? 0 : -niceMax(-Math.min.apply(null, all));
    var ticks = [lo, (lo + hi) / 2, hi];
    pad.left = 10 + Math.max.apply(null, ticks.map(function (t) { return textW(fmt(t)); }));
    var plotH = height - pad.top - pad.bottom, plotW = width - pad.left - pad.right;
    var svg = el("svg", { viewBox: "0 0 " + width + " " + height, width: width, height: height,
      "font-size": FONT, "font-family": "inherit", "aria-hidden": "true" });
    var y = function (v) { return pad.top + (hi - v) / (hi - lo) * plotH; };
    ticks.forEach(function (t) {
      svg.appendChild(el("line", { x1: pad.left, x2: width - pad.right, y1: y(t), y2: y(t), stroke: "#d9e2ec" }));
      svg.appendChild(el("text", { x: pad.left - 6, y: y(t) + (t === lo ? -2 : 4), "text-anchor": "end", fill: "#616e7c" }, fmt(t)));
    });
    legend.items.forEach(function (item, j) {
      var s = data.series[j], ly = height - (legend.rows - item.row) * 18 + 2;
      svg.appendChild(el("rect", { x: item.x, y: ly, width: 10, height: 10, fill: COLOURS[s.cls] || "#616e7c" }));
      svg.appendChild(el("text", { x: item.x + 14, y: ly + 9, fill: "#1f2933" }, s.name));
    });
    return { svg: svg, width: width, height: height, pad: pad, plotW: plotW, plotH: plotH, y: y };
  }

  /* x labels centred at xs[i], each slot `slot` px wide: every k-th label, shortened to fit k slots. */
  function xLabels(f, labels, xs, slot) {
    var widest = Math.max.apply(null, labels.map(function (l) { return textW(l); }).concat([0]));
    var every = Math.max(1, Math.ceil((Math.min(widest, 8 * FONT) + 8) / Math.max(1, slot)));
    var room = every * slot - 8, lastRight = -Infinity, right = f.width - 2;
    labels.forEach(function (label, i) {
      if (i % every !== 0) { return; }
      var text = shorten(label, room), w = textW(text);
      // Centred under its point, but a label at either end stays inside the chart instead of being cut by its
      // edge; one pushed inward so would touch its neighbour is shortened to the room left, or left out (the
      // table beside the chart names every label).
      var left = Math.max(2, Math.min(xs[i] - w / 2, right - w));
      if (left < lastRight + 4) {
        left = lastRight + 4;
        text = shorten(label, right - left);
        w = textW(text);
        if (left + w > right) { return; }
      }
      f.svg.appendChild(el("text", { x: left, y: f.pad.top + f.plotH + 19, "text-anchor": "start", fill: "#1f2933" }, text));
      lastRight = left + w;
    });
  }

  function place(container, svg) {
    container.innerHTML = "";
    container.appendChild(svg);
    return svg;
  }

  /* Grouped vertical bars: one group per label, one bar per series; negative values go below zero. */
  function bars(container, data, opts) {
    var f = frame(container, data, opts || {});
    var n = Math.max(1, data.labels.length);
    var groupW = f.plotW / n;
    var barW = Math.max(3, (groupW * 0.8) / Math.max(1, data.series.length));
    f.svg.appendChild(el("line", { x1: f.pad.left, x2: f.width - f.pad.right, y1: f.y(0), y2: f.y(0), stroke: "#616e7c" }));
    data.labels.forEach(function (label, i) {
      var x0 = f.pad.left + i * groupW + groupW * 0.1;
      data.series.forEach(function (s, j) {
        var v = s.values[i] || 0, top = f.y(Math.max(v, 0)), h = Math.abs(f.y(v) - f.y(0));
        var rect = el("rect", { x: x0 + j * barW, y: top, width: Math.max(1, barW - 2), height: Math.max(h, 0.5),
          fill: COLOURS[s.cls] || "#616e7c" });
        rect.appendChild(el("title", {}, label + " · " + s.name + "：" + v));
        f.svg.appendChild(rect);
        // The value on its bar only when it fits the bar's width (the table beside the chart has every number).
        if (textW(fmt(v)) + 2 <= barW) {
          f.svg.appendChild(el("text", { x: x0 + j * barW + (barW - 2) / 2, y: v >= 0 ? top - 3 : f.y(0) - 3,
            "text-anchor": "middle", fill: "#1f2933" }, fmt(v)));
        }
      });
    });
    xLabels(f, data.labels, data.labels.map(function (_, i) { return f.pad.left + (i + 0.5) * groupW; }), groupW);
    return place(container, f.svg);
  }

  /* Lines: one polyline per series over the labels (months), a dot at each point. */
  function lines(container, data, opts) {
    var f = frame(container, data, opts || {});
    var n = Math.max(1, data.labels.length);
    var x = function (i) { return f.pad.left + 6 + (n === 1 ? (f.plotW - 12) / 2 : i * (f.plotW - 12) / (n - 1)); };
    data.series.forEach(function (s) {
      var colour = COLOURS[s.cls] || "#616e7c";
      var points = s.values.map(function (v, i) { return x(i) + "," + f.y(v || 0); }).join(" ");
      f.svg.appendChild(el("polyline", { points: points, fill: "none", stroke: colour, "stroke-width": 2 }));
      s.values.forEach(function (v, i) {
        var dot = el("circle", { cx: x(i), cy: f.y(v || 0), r: 3, fill: colour });
        dot.appendChild(el("title", {}, data.labels[i] + " · " + s.name + "：" + v));
        f.svg.appendChild(dot);
      });
    });
    xLabels(f, data.labels, data.labels.map(function (_, i) { return x(i); }), n === 1 ? f.plotW : (f.plotW - 12) / (n - 1));
    return place(container, f.svg);
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

  function draw(node) {
    var data = readJson(node.getAttribute("data-chart"));
    if (!data) { return; }
    var part = node.getAttribute("data-chart-part") === "money" ? data.money : data;
    (node.getAttribute("data-chart-type") === "line" ? lines : bars)(node, part, {});
    node.setAttribute("data-drawn-width", String(node.clientWidth));
  }

  function init() {
    var nodes = document.querySelectorAll("[data-chart]");
    nodes.forEach(draw);
    // Redraw at the new width when a box changes width (window resized, phone turned).
    if (window.ResizeObserver) {
      var observer = new ResizeObserver(function (entries) {
        entries.forEach(function (entry) {
          var node = entry.target;
          if (String(node.clientWidth) !== node.getAttribute("data-drawn-width")) { draw(node); }
        });
      });
      nodes.forEach(function (node) { observer.observe(node); });
    }
    document.querySelectorAll("form[data-guidance]").forEach(guidance);
  }

  window.JiekunChart = { bars: bars, lines: lines };
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
