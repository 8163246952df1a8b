// The queue ticket: printed as soon as it opens when the page asks for it (data-autoprint).
window.addEventListener("load", function () {
  if (document.body.hasAttribute("data-autoprint")) window.print();
});
