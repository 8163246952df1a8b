// The clinician's call page: choosing another room reloads the page for that room (the
// "Chọn phòng" button does the same without JavaScript). Static file: no inline handlers.
(function () {
  "use strict";
  document.addEventListener("change", function (e) {
    var form = e.target.closest("form[data-autosubmit]");
    if (form && e.target.tagName === "SELECT") form.submit();
  });
})();
