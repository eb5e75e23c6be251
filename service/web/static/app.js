// Small progressive enhancements; every page works without them.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Pages of a running job or run reload themselves until it is done.
  var refresh = document.querySelector("[data-refresh]");
  if (refresh) {
    var seconds = parseFloat(refresh.getAttribute("data-refresh")) || 3;
    setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }
  // The absence reason is asked only for an absence.
  var status = document.getElementById("status");
  var reason = document.getElementById("absence_reason");
  if (status && reason) {
    var sync = function () {
      var absent = status.value === "absent";
      reason.disabled = !absent;
      reason.required = absent;
      if (!absent) { reason.value = ""; }
    };
    status.addEventListener("change", sync);
    sync();
  }
  // The coach is asked only for a coach user (the admin's user form).
  var role = document.getElementById("role");
  var coachField = document.getElementById("coach-field");
  if (role && coachField) {
    var showCoach = function () { coachField.hidden = role.value !== "coach"; };
    role.addEventListener("change", showCoach);
    showCoach();
  }
  // A "back" link on the error page goes back where the user came from.
  var back = document.querySelector("[data-back]");
  if (back && window.history.length > 1) {
    back.addEventListener("click", function (event) { event.preventDefault(); window.history.back(); });
  }
  // Keep the decision preview in view after it is shown.
  var preview = document.getElementById("preview");
  if (preview) { preview.focus(); }
});
