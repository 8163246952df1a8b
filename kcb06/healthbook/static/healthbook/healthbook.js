// Health-book pages: ICD-10 search results fill the field they were searched from; the
// print button prints. A static file (no inline script), so a strict CSP can forbid inline code.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var printer = e.target.closest("[data-print-page]");
    if (printer) {
      window.print();
      return;
    }
    var pick = e.target.closest("[data-icd-code]");
    if (!pick) return;
    var input = document.getElementById(pick.dataset.icdTarget);
    if (input) {
      input.value = pick.dataset.icdCode;
      var title = input.dataset.icdTitle && document.getElementById(input.dataset.icdTitle);
      if (title && !title.value) title.value = pick.dataset.icdName || "";
      input.focus();
    }
    var list = pick.closest("ul");
    if (list) list.remove();
  });
})();
