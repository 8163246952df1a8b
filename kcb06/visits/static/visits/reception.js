// Reception desk: the cursor lives in the scan field. A scanner types the QR text + Enter
// (a scan); Enter on the empty field issues the ticket for the selected department.
// Keys anywhere on the page: Alt+1…9 pick a department and issue, Alt+P prints the ticket
// again, Alt+U changes the priority group, Alt+M re-checks with the newer card the portal named (answer 003/004).
(function () {
  const field = document.getElementById("scan");
  const form = document.getElementById("scan-form");
  const panel = document.getElementById("panel");
  const issued = document.getElementById("issued");
  if (!field) return;

  function focusScan() { field.focus(); }
  function issueForm() { return document.getElementById("issue-form"); }
  function deps() { return Array.from(document.querySelectorAll('#issue-form input[name="department"]:not([disabled])')); }
  function send(f) {
    // A key pressed the instant a form arrives can beat htmx's own processing of it (its
    // hx-post listener); processing it here first is a no-op when already done.
    htmx.process(f);
    htmx.trigger(f, "submit");
  }
  function submitIssue() {
    const f = issueForm();
    if (!f) return;
    if (f.reportValidity && !f.reportValidity()) return;
    send(f);
  }

  // Print a ticket on the desk's printer through a hidden frame (no window, no mouse).
  function printFrame(frame) {
    frame.addEventListener("load", function () { frame.contentWindow.print(); focusScan(); }, { once: true });
  }
  function reprint() {
    const link = document.querySelector('#issued [data-print-url]');
    if (!link) return;
    const frame = document.createElement("iframe");
    frame.hidden = true;
    frame.className = "print-frame";
    frame.dataset.testid = "reprint-frame";
    printFrame(frame);
    frame.src = link.dataset.printUrl;
    issued.appendChild(frame);
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
    }
  });

  document.addEventListener("keydown", function (e) {
    if (!e.altKey) return;
    if (/^[1-9]$/.test(e.key)) {
      const el = document.querySelector('#issue-form .dep[data-key="' + e.key + '"] input');
      if (el && !el.disabled) { e.preventDefault(); el.checked = true; submitIssue(); }
      return;
    }
    const k = e.key.toLowerCase();
    if (k === "p") { e.preventDefault(); reprint(); return; }
    if (k === "u") {
      const sel = document.querySelector('#issue-form select[name="priority"]');
      if (sel) { e.preventDefault(); sel.selectedIndex = (sel.selectedIndex + 1) % sel.options.length; }
      return;
    }
    if (k === "m") {
      const btn = document.querySelector('[data-testid="recheck-new-card"]');
      if (btn) { e.preventDefault(); btn.click(); }
    }
  });

  // The likely-duplicates choice: arrows/Space choose inside the group, Enter issues.
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.matches('#issue-form input[type="radio"]')) {
      e.preventDefault(); submitIssue();
    }
  });

  // The details form of someone unknown: type the name and go straight on with the date of
  // birth (a digit moves to it), the date's last digit moves to sex, Enter sends.
  panel.addEventListener("keydown", function (e) {
    if (e.target.name !== "full_name" || !e.target.closest(".details-form")) return;
    if (/^[0-9]$/.test(e.key) && !e.altKey && !e.ctrlKey) {
      e.preventDefault();
      const dob = e.target.form.querySelector('[name="date_of_birth"]');
      dob.value = e.key; dob.focus();
    }
  });
  panel.addEventListener("input", function (e) {
    if (e.target.name !== "date_of_birth" || !e.target.closest(".details-form")) return;
    if (/^(\d{8}|\d{1,2}\D\d{1,2}\D\d{4})$/.test(e.target.value.trim())) {
      const sex = e.target.form.querySelector('[name="sex"]');
      sex.focus(); sex.select();
    }
  });

  document.body.addEventListener("htmx:configRequest", function (e) {
    if (e.detail.elt === form) { document.getElementById("last-scan").value = field.value; }
  });
  document.body.addEventListener("htmx:afterRequest", function (e) {
    if (e.detail.elt === form) { field.value = ""; }
  });
  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target === issued) {
      const frame = issued.querySelector("iframe[data-autoprint]");
      if (frame) printFrame(frame);
    }
    if (e.detail.target === panel) {
      const wrong = panel.querySelector('.details-form [aria-invalid="true"]');
      const name = panel.querySelector('[data-testid="details-name"]');
      if (wrong) { wrong.focus(); wrong.select(); return; }
      if (name) { name.focus(); return; }
      const choice = panel.querySelector('#issue-form input[name="record"]');
      if (choice) { choice.focus(); return; }
    }
    focusScan();
  });
  // A form swapped into the panel (the details of someone unknown) can be sent with Enter
  // before htmx has wired it: htmx then had no say and the browser would submit it itself,
  // reloading the page with the person's name and birth date in the URL. Send it through htmx.
  panel.addEventListener("submit", function (e) {
    if (e.defaultPrevented || !e.target.matches("form[hx-post]")) return;
    e.preventDefault();
    send(e.target);
  });
  // Clicks on plain page areas give the focus back to the field for the next scan.
  document.addEventListener("click", function (e) {
    if (!e.target.closest("input, select, textarea, button, a, label")) focusScan();
  });
  focusScan();
})();
