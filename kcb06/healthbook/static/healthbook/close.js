// Closing a visit: ICD-10 look-up as the clinician types, and picking a code from the list.
//
// An input with data-icd-search asks the look-up with its own value as q and its id as the
// target to fill (computed here, as htmx's js: values need eval, which the CSP forbids).
document.addEventListener("htmx:configRequest", function (e) {
  var input = e.detail.elt;
  if (!input || !input.hasAttribute("data-icd-search")) return;
  e.detail.parameters.q = input.value;
  e.detail.parameters.target = input.id;
});

document.addEventListener("click", function (e) {
  var b = e.target.closest("[data-icd-code]");
  if (!b) return;
  var input = document.getElementById(b.dataset.icdTarget);
  if (input) { input.value = b.dataset.icdCode; input.focus(); }
  b.closest("ul").remove();
});
