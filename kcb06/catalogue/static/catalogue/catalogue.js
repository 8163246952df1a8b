// Catalogue search on the closing page: choosing a result fills its line (id, code, name,
// strength, unit, price); typing in the name again after a choice clears the choice, so a
// line is either a catalogue row or free text (a note). Static file: no inline script (CSP).
(function () {
  "use strict";
  function field(line, name) {
    return document.getElementById(line + "-" + name);
  }
  document.addEventListener("click", function (e) {
    var pick = e.target.closest("[data-cat-id]");
    if (!pick) return;
    var line = pick.dataset.catLine;
    var values = {
      catalogue_id: pick.dataset.catId,
      drug_code: pick.dataset.catCode,
      drug_name: pick.dataset.catName,
      strength: pick.dataset.catStrength,
      unit: pick.dataset.catUnit,
      unit_price: pick.dataset.catPrice
    };
    Object.keys(values).forEach(function (name) {
      var input = field(line, name);
      if (input && values[name] !== undefined) input.value = values[name];
    });
    var name = field(line, "drug_name");
    if (name) name.dataset.catChosen = name.value;
    var list = pick.closest("ul");
    if (list) list.remove();
    var row = document.querySelector('[data-cat-row="' + line + '"]');
    var next = row && row.querySelector("[name$='-dose'], [name$='-quantity']");
    if (next) next.focus();
  });
  document.addEventListener("input", function (e) {
    var typed = e.target.closest("[data-cat-typed]");
    if (!typed || typed.dataset.catChosen === undefined) return;
    if (typed.value === typed.dataset.catChosen) return;
    var line = typed.dataset.catTyped;
    ["catalogue_id", "drug_code", "unit_price"].forEach(function (name) {
      var input = field(line, name);
      if (input) input.value = "";
    });
    delete typed.dataset.catChosen;
  });
})();
