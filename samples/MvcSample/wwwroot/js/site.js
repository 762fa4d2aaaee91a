// htmx error feedback: a failed htmx request (an error status or no connection) says so in the #htmx-error region
// of the layout instead of doing nothing. The server's error pages answer htmx requests with a short message.
(function () {
  function show(text) {
    var region = document.getElementById("htmx-error");
    if (region) region.textContent = text;
  }
  document.addEventListener("htmx:beforeRequest", function () { show(""); });
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var message = (xhr.getResponseHeader("X-Error-Message") || "").trim();
    show("The request failed (" + xhr.status + (message ? ": " + message : "") + "). Please try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    show("The server could not be reached. Check your connection and try again.");
  });
})();
