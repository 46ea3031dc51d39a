// Filters a decisions register by body, type and where each recommendation stands, in the
// page: every row carries data-body, data-type and data-state. Without this script the
// form stays hidden, and the registers by year are the way through. The choice is kept
// in the address (?body=&type=&state=), so that Back and a shared link show the same rows.
(function () {
  "use strict";
  var form = document.getElementById("register-filter");
  var table = document.querySelector("table.register");
  if (!form || !table) return;
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var count = document.getElementById("filter-count");
  var names = ["body", "type", "state"];
  var params = new URLSearchParams(window.location.search);
  names.forEach(function (name) {
    var value = params.get(name);
    if (value !== null && form.elements[name].querySelector('option[value="' + CSS.escape(value) + '"]')) {
      form.elements[name].value = value;
    }
  });
  function apply() {
    var shown = 0;
    var address = new URL(window.location.href);
    rows.forEach(function (row) {
      var match = names.every(function (name) {
        var wanted = form.elements[name].value;
        return !wanted || row.getAttribute("data-" + name) === wanted;
      });
      row.hidden = !match;
      if (match) shown += 1;
    });
    names.forEach(function (name) {
      if (form.elements[name].value) address.searchParams.set(name, form.elements[name].value);
      else address.searchParams.delete(name);
    });
    window.history.replaceState(null, "", address);
    // the words are the page's own, in its language (data-all, data-some)
    var words = shown === rows.length ? count.getAttribute("data-all") : count.getAttribute("data-some");
    count.textContent = words.replace("[SHOWN]", String(shown)).replace("[COUNT]", String(rows.length));
  }
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();
})();
