/* 县 → 街道 → 社区: any <select data-region-picker> whose options are region codes (GB/T 2260, 6 or 12 digits)
   becomes three linked selects built from its own options; the original select stays in the form, hidden, and
   carries the chosen code. The code itself says where a region sits (360102 县, 360102002000 街道,
   360102002001 社区), so no extra data is needed. A file in static/ (no inline script, no CDN). */
(function () {
  "use strict";
  function level(code) {
    if (code.length === 6) { return code.slice(4) === "00" ? 0 : 1; }
    if (code.length === 12) { return code.slice(9) === "000" ? 2 : 3; }
    return -1;
  }
  function countyOf(code) { return code.slice(0, 6); }
  function streetOf(code) { return code.slice(0, 9) + "000"; }
  function make(label, emptyText) {
    var select = document.createElement("select");
    select.setAttribute("aria-label", label);
    select.className = "region-step";
    var empty = document.createElement("option");
    empty.value = ""; empty.textContent = emptyText;
    select.appendChild(empty);
    return select;
  }
  function fill(select, items, chosen) {
    while (select.options.length > 1) { select.remove(1); }
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = item.code; option.textContent = item.name;
      if (item.code === chosen) { option.selected = true; }
      select.appendChild(option);
    });
    select.hidden = items.length === 0;
  }
  function enhance(original) {
    var regions = [], names = {};
    Array.prototype.forEach.call(original.options, function (o) {
      if (o.value && level(o.value) >= 0) {
        regions.push({ code: o.value, name: o.textContent.trim() });
        names[o.value] = o.textContent.trim();
        /* a community's option may name its street and county (data-street, data-county) */
        if (o.dataset.street) { names[streetOf(o.value)] = o.dataset.street; }
        if (o.dataset.county) { names[countyOf(o.value)] = o.dataset.county; }
      }
    });
    var communities = regions.filter(function (r) { return level(r.code) === 3; });
    if (communities.length < 2) { return; }  /* one community: nothing to pick from */
    var counties = {}, streets = {};
    communities.forEach(function (r) {
      counties[countyOf(r.code)] = true; streets[streetOf(r.code)] = true;
    });
    function named(codes, fallback) {
      return Object.keys(codes).sort().map(function (c) { return { code: c, name: names[c] || fallback(c) }; });
    }
    var countyList = named(counties, function (c) { return "县（区）" + c; });
    var streetList = named(streets, function (c) { return "街道 " + c.slice(6, 9); });
    var county = make("县（市、区）", "全部县（区）"), street = make("街道", "全部街道"), community = make("社区", "全部社区");
    var current = original.value;
    var wrap = document.createElement("span");
    wrap.className = "region-picker";
    [county, street, community].forEach(function (s) { wrap.appendChild(s); });
    original.parentNode.insertBefore(wrap, original);
    original.hidden = true;
    function refresh() {
      fill(street, streetList.filter(function (s) { return !county.value || countyOf(s.code) === county.value; }), street.value);
      fill(community, communities.filter(function (c) {
        return (!county.value || countyOf(c.code) === county.value) && (!street.value || streetOf(c.code) === street.value);
      }), community.value);
      var value = community.value || street.value || county.value;
      /* the original select takes the finest chosen level if it has that option, else the community */
      if (value && !Array.prototype.some.call(original.options, function (o) { return o.value === value; })) {
        var probe = document.createElement("option"); probe.value = value; probe.textContent = value; original.appendChild(probe);
      }
      original.value = value;
    }
    fill(county, countyList, current ? countyOf(current) : "");
    if (countyList.length === 1) { county.value = countyList[0].code; county.hidden = true; }
    fill(street, [], ""); fill(community, [], "");
    refresh();
    if (current && level(current) >= 2) { street.value = streetOf(current); refresh(); }
    if (current && level(current) === 3) { community.value = current; refresh(); }
    county.addEventListener("change", function () { street.value = ""; community.value = ""; refresh(); });
    street.addEventListener("change", function () { community.value = ""; refresh(); });
    community.addEventListener("change", refresh);
  }
  Array.prototype.forEach.call(document.querySelectorAll("select[data-region-picker]"), enhance);
})();
