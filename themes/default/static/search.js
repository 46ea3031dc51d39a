// Starts the Pagefind search interface on the search page.
(function () {
  "use strict";
  var target = document.getElementById("search");
  if (!target) return;
  if (typeof window.PagefindUI !== "function") {
    document.getElementById("search-unavailable").hidden = false;
    return;
  }
  new window.PagefindUI({
    element: "#search",
    bundlePath: target.getAttribute("data-bundle"),
    showSubResults: true,
    showImages: false,
    resetStyles: false,
    translations: { placeholder: "Search meetings, decisions and issues" }
  });
})();
