// Reception desk: the cursor lives in the scan field. A scanner types the QR text + Enter
// (a scan); Enter on the empty field issues the ticket for the selected department.
(function () {
  const field = document.getElementById("scan");
  const form = document.getElementById("scan-form");
  const panel = document.getElementById("panel");
  const issued = document.getElementById("issued");
  if (!field) return;

  function focusScan() { field.focus(); }
  function issueForm() { return document.getElementById("issue-form"); }
  function deps() { return Array.from(document.querySelectorAll('#issue-form input[name="department"]:not([disabled])')); }
  function submitIssue() {
    const f = issueForm();
    if (!f) return;
    if (f.reportValidity && !f.reportValidity()) return;
    // A key pressed the instant the panel arrives can beat htmx's own processing of the new
    // form (its hx-post listener); processing it here first is a no-op when already done.
    htmx.process(f);
    htmx.trigger(f, "submit");
  }

  field.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      if (field.value.trim() === "") { e.preventDefault(); submitIssue(); return; }
      // A new scan: the previous patient disappears at once (never shown next to the new one).
      issued.innerHTML = ""; panel.innerHTML = "";
      return; // the form's own submit (htmx) sends the scan
    }
    if (e.key === "Escape") { field.value = ""; panel.innerHTML = ""; issued.innerHTML = ""; return; }
    if ((e.key === "ArrowDown" || e.key === "ArrowUp") && field.value === "") {
      const list = deps(); if (!list.length) return;
      e.preventDefault();
      let i = list.findIndex(function (r) { return r.checked; });
      i = (i + (e.key === "ArrowDown" ? 1 : list.length - 1)) % list.length;
      list[i].checked = true;
      return;
    }
    if (e.altKey && /^[1-9]$/.test(e.key)) {
      const el = document.querySelector('#issue-form .dep[data-key="' + e.key + '"] input');
      if (el && !el.disabled) { e.preventDefault(); el.checked = true; submitIssue(); }
    }
  });

  document.body.addEventListener("htmx:configRequest", function (e) {
    if (e.detail.elt === form) { document.getElementById("last-scan").value = field.value; }
  });
  document.body.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.elt === form) { field.value = ""; }
  });
  document.body.addEventListener("htmx:afterSwap", function (e) {
    const details = document.querySelector('[data-testid="details-name"]');
    if (e.detail.target === panel && details) { details.focus(); return; }
    focusScan();
  });
  // A form swapped into the panel (the details of someone unknown) can be sent with Enter
  // before htmx has wired it: htmx then had no say and the browser would submit it itself,
  // reloading the page with the person's name and birth date in the URL. Send it through htmx.
  panel.addEventListener("submit", function (e) {
    if (e.defaultPrevented || !e.target.matches("form[hx-post]")) return;
    e.preventDefault();
    htmx.process(e.target);
    htmx.trigger(e.target, "submit");
  });
  // Clicks on plain page areas give the focus back to the field for the next scan.
  document.addEventListener("click", function (e) {
    if (!e.target.closest("input, select, textarea, button, a, label")) focusScan();
  });
  focusScan();
})();
