(function () {
  "use strict";
  var box = document.getElementById("filters");
  var typology = document.getElementById("f-typology");
  var band = document.getElementById("f-band");
  var count = document.getElementById("f-count");
  var rows = document.querySelectorAll("#cases tbody tr[data-band]");
  if (!box || !typology || !band || !count) { return; }
  function apply() {
    var t = typology.value;
    var b = band.value;
    var shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var tags = (row.getAttribute("data-typologies") || "").split(" ");
      var ok = (!t || tags.indexOf(t) !== -1) && (!b || row.getAttribute("data-band") === b);
      row.hidden = !ok;
      if (ok) { shown++; }
    }
    count.textContent = shown + " of " + rows.length + " cases shown";
  }
  typology.addEventListener("change", apply);
  band.addEventListener("change", apply);
  box.hidden = false;
  apply();
})();
