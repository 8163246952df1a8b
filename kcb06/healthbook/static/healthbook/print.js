// The health book's print view: the "In" button opens the browser's print dialog.
document.addEventListener("click", function (e) {
  if (e.target.closest("[data-print]")) window.print();
});
