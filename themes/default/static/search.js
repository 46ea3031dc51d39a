// Starts the Pagefind search interface on the search page. The query is read from the
// address (?q=, as the search form in every page's header sends it) and kept there as
// you type, so that Back and a shared link show the same results.
(function () {
  "use strict";
  var target = document.getElementById("search");
  if (!target) return;
  if (typeof window.PagefindUI !== "function") {
    document.getElementById("search-unavailable").hidden = false;
    return;
  }
  var ui = new window.PagefindUI({
    element: "#search",
    bundlePath: target.getAttribute("data-bundle"),
    showSubResults: true,
    showImages: false,
    resetStyles: false,
    translations: JSON.parse(target.getAttribute("data-translations") || "{}")  // the page's language
  });
  // the result count is announced to screen readers as it changes (a live region)
  new MutationObserver(function () {
    var message = target.querySelector(".pagefind-ui__message");
    if (message && message.getAttribute("role") !== "status") message.setAttribute("role", "status");
  }).observe(target, { childList: true, subtree: true });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    ui.triggerSearch(query);
    var header = document.getElementById("site-search-q");
    if (header) header.value = query;
  }
  target.addEventListener("input", function (event) {
    if (!event.target || event.target.tagName !== "INPUT" || event.target.type !== "text" && event.target.type !== "search") return;
    var address = new URL(window.location.href);
    if (event.target.value) {
      address.searchParams.set("q", event.target.value);
    } else {
      address.searchParams.delete("q");
    }
    window.history.replaceState(null, "", address);
  });
})();
