// Behaviour shared by every page, kept out of the templates so that the Content-Security-
// Policy can forbid inline script (kcb06/web/security.py).
//
// data-autosubmit on a form control: a change submits its form (through htmx when the form
// is an htmx form, so the answer is swapped in as the form says).
document.addEventListener("change", function (e) {
  var control = e.target.closest("[data-autosubmit]");
  if (!control || !control.form) return;
  var form = control.form;
  if (window.htmx && (form.hasAttribute("hx-post") || form.hasAttribute("hx-get"))) {
    htmx.trigger(form, "submit");
  } else {
    form.submit();
  }
});
