// Conflict declaration (templates/scoring/reviews/declare.html): narrow the list of
// agencies as the reviewer types. Without JavaScript the whole list is shown.
(function () {
  "use strict";
  var input = document.getElementById("agency-filter");
  if (!input) return;
  var items = document.querySelectorAll(".declare-list li");
  var groups = document.querySelectorAll(".declare-group");
  input.addEventListener("input", function () {
    var q = input.value.trim().toLowerCase();
    items.forEach(function (li) {
      var name = (li.getAttribute("data-name") || "").toLowerCase();
      var checked = li.querySelector("input").checked;
      li.hidden = q !== "" && !checked && name.indexOf(q) === -1;
    });
    groups.forEach(function (g) {
      g.hidden = !g.querySelector(".declare-list li:not([hidden])");
    });
  });
})();
