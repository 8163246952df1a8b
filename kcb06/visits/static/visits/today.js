// Today's check-ins: the cursor waits in the search field; Enter finds (the first match opens).
// Alt+P prints its ticket again, Alt+1…9 sends it to that department (and prints the new
// number), Alt+H goes to the reason of a cancellation, Enter there cancels.
(function () {
  const q = document.getElementById("today-q");
  const found = document.getElementById("today-found");
  if (!q) return;

  function printFrame(frame) {
    frame.addEventListener("load", function () { frame.contentWindow.print(); }, { once: true });
  }
  function reprint() {
    const link = found.querySelector("[data-print-url]");
    if (!link) return;
    const frame = document.createElement("iframe");
    frame.hidden = true; frame.className = "print-frame";
    printFrame(frame);
    frame.src = link.dataset.printUrl;
    found.appendChild(frame);
  }
  function send(f) { htmx.process(f); htmx.trigger(f, "submit"); }

  document.addEventListener("keydown", function (e) {
    if (!e.altKey) return;
    if (e.key.toLowerCase() === "p") { e.preventDefault(); reprint(); return; }
    if (e.key.toLowerCase() === "h") {
      const r = found.querySelector('[data-testid="cancel-reason"]');
      if (r) { e.preventDefault(); r.focus(); }
      return;
    }
    if (/^[1-9]$/.test(e.key)) {
      const el = found.querySelector('.move-form .dep[data-key="' + e.key + '"] input');
      if (el && !el.disabled) { e.preventDefault(); el.checked = true; send(el.form); }
    }
  });
  // Forms arriving in the panel are sent through htmx even when Enter beats its wiring.
  found.addEventListener("submit", function (e) {
    if (e.defaultPrevented || !e.target.matches("form[hx-post]")) return;
    e.preventDefault(); send(e.target);
  });
  document.body.addEventListener("htmx:afterSwap", function () {
    const frame = found.querySelector("iframe[data-autoprint]:not([data-done])");
    if (frame) { frame.dataset.done = "1"; printFrame(frame); }
    const wrong = found.querySelector('[data-testid="today-error"]');
    if (wrong) { const r = found.querySelector('[data-testid="cancel-reason"]'); if (r) { r.focus(); return; } }
    q.focus();
  });
})();
