// Consultation form helpers; the form works without them.
(function () {
  "use strict";

  var form = document.getElementById("consultation-form");

  // Switching language halfway through: the answers typed so far go along in this tab's
  // sessionStorage (never in the address, never to the server) and are deleted as soon as the
  // other language's form has read them. The consent boxes are not carried: their wording
  // differs per language, so the patient reads it again and ticks it again.
  var CARRY_KEY = "consultation-form-answers";
  var CARRY_MAX_AGE_MS = 10 * 60 * 1000;
  var CARRIED_FIELDS = [
    "first_name", "last_name", "email", "phone", "office", "treatment", "patient_status",
    "contact_method", "preferred_days", "preferred_time", "payment", "message"
  ];

  function fieldsNamed(name) {
    return Array.prototype.slice.call(form.querySelectorAll("[name='" + name + "']"));
  }

  function typedAnswers() {
    var answers = {};
    CARRIED_FIELDS.forEach(function (name) {
      var fields = fieldsNamed(name);
      var choices = fields.filter(function (field) {
        return field.type === "radio" || field.type === "checkbox";
      });
      if (choices.length) {
        var chosen = choices.filter(function (field) { return field.checked; })
          .map(function (field) { return field.value; });
        if (chosen.length) {
          answers[name] = chosen;
        }
      } else if (fields.length && fields[0].value) {
        answers[name] = fields[0].value;
      }
    });
    return answers;
  }

  function restoreAnswers(answers) {
    Object.keys(answers).forEach(function (name) {
      if (CARRIED_FIELDS.indexOf(name) === -1) {
        return;
      }
      var value = answers[name];
      fieldsNamed(name).forEach(function (field) {
        if (field.type === "radio" || field.type === "checkbox") {
          field.checked = Array.isArray(value) && value.indexOf(field.value) !== -1;
        } else if (typeof value === "string") {
          field.value = value;
        }
      });
    });
  }

  if (form) {
    try {
      var carried = window.sessionStorage.getItem(CARRY_KEY);
      window.sessionStorage.removeItem(CARRY_KEY);
      if (carried) {
        carried = JSON.parse(carried);
        if (Date.now() - carried.savedAt < CARRY_MAX_AGE_MS) {
          restoreAnswers(carried.answers || {});
        }
      }
    } catch (error) {
      // Storage turned off or unreadable: the form simply starts empty, as without JavaScript.
    }
    document.querySelectorAll(".language-switcher a[hreflang]").forEach(function (link) {
      link.addEventListener("click", function () {
        var answers = typedAnswers();
        if (!Object.keys(answers).length) {
          return;
        }
        try {
          window.sessionStorage.setItem(
            CARRY_KEY, JSON.stringify({ savedAt: Date.now(), answers: answers })
          );
        } catch (error) {
          // Nowhere to keep them: the link still works; the answers are not carried over.
        }
      });
    });
  }

  // Move focus to the error summary or the medical-detail note so screen readers read it first.
  // The page puts it at the top, in view; scroll only if something pushed its start off-screen.
  var notice = document.querySelector("[data-focus-on-load]");
  if (!notice) {
    return;
  }
  notice.focus({ preventScroll: true });
  var top = notice.getBoundingClientRect().top;
  if (top < 0 || top > window.innerHeight - 48) {
    notice.scrollIntoView({ block: "start" });
  }

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
