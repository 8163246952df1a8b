// Merge page, keyboard only: the cursor waits in the first pair's reason; Enter merges, Tab
// goes on to the next pair; Alt+Z undoes the newest merge not yet undone.
(function () {
  const body = document.getElementById("merge-body");
  if (!body) return;
  function focusFirst() {
    const reason = body.querySelector('[data-testid="merge-reason"]');
    if (reason) reason.focus();
  }
  function send(f) { htmx.process(f); htmx.trigger(f, "submit"); }
  body.addEventListener("submit", function (e) {
    if (e.defaultPrevented || !e.target.matches("form[hx-post]")) return;
    e.preventDefault(); send(e.target);
  });
  document.addEventListener("keydown", function (e) {
    if (e.altKey && e.key.toLowerCase() === "z") {
      const undo = body.querySelector('[data-testid="undo"]');
      if (undo) { e.preventDefault(); send(undo.form); }
    }
  });
  document.body.addEventListener("htmx:afterSwap", focusFirst);
  focusFirst();
})();
