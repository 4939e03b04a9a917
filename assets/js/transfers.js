// The transfer map: pointing at (or tabbing to) a city brings out the arrows from and to it and their rows in
// the table; the map and the table work without it.
(function () {
  "use strict";
  var map = document.querySelector("[data-transfer-map]");
  if (!map) return;
  var rows = document.querySelectorAll("#transfers-table tbody tr");
  var arrows = map.querySelectorAll(".transfer-arrow");

  function show(slug) {
    map.classList.toggle("focused", Boolean(slug));
    [].forEach.call(arrows, function (arrow) {
      var linked = slug && (arrow.dataset.from === slug || arrow.dataset.to === slug);
      arrow.classList.toggle("linked", Boolean(linked));
    });
    [].forEach.call(rows, function (row) {
      row.classList.toggle("linked", Boolean(slug && (row.dataset.from === slug || row.dataset.to === slug)));
    });
  }

  [].forEach.call(map.querySelectorAll(".map-city"), function (city) {
    var slug = city.getAttribute("data-city");
    ["mouseenter", "focus"].forEach(function (name) { city.addEventListener(name, function () { show(slug); }); });
    ["mouseleave", "blur"].forEach(function (name) { city.addEventListener(name, function () { show(""); }); });
  });
})();
