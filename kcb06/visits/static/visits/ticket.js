// The printed ticket: with ?print=1 the page prints itself once it is laid out. At the kiosk it
// runs inside a same-origin frame, so only the ticket is printed; Chromium started with
// --kiosk-printing sends it to the default (thermal) printer without a dialog (docs/reception.md).
(function () {
  if (document.body.dataset.autoprint !== "1") return;
  function go() { window.print(); }
  if (document.readyState === "complete") go(); else window.addEventListener("load", go);
})();
