// Consultation form helpers; the form works without them.
(function () {
  "use strict";

  // Move focus to the error summary or the medical-detail note so screen readers read it first.
  var notice = document.querySelector("[data-focus-on-load]");
  if (!notice) {
    return;
  }
  notice.focus();

  // A link in the notice focuses its field and scrolls its label or question into view.
  notice.querySelectorAll("a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var input = document.getElementById(link.getAttribute("href").slice(1));
      if (!input) {
        return;
      }
      event.preventDefault();
      var inGroup = (input.type === "radio" || input.type === "checkbox") &&
        document.getElementsByName(input.name).length > 1;
      var fieldset = input.closest("fieldset");
      var label = inGroup && fieldset ? fieldset.querySelector("legend") :
        document.querySelector("label[for='" + input.id + "']");
      (label || input).scrollIntoView();
      input.focus({ preventScroll: true });
    });
  });
})();
