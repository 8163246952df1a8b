// Patient search: the cursor stays in the one field; each Enter searches again (htmx), and
// the text is selected so that the next search is typed straight over it.
(function () {
  const q = document.getElementById("search-q");
  if (!q) return;
  const results = document.getElementById("results");
  document.body.addEventListener("htmx:afterSwap", function () {
    results.dataset.answers = String(Number(results.dataset.answers || 0) + 1);
    q.focus(); q.select();
  });
  q.focus();
})();
