// Keeps the note about an index update current without reloading the page; without
// JavaScript the note's own link does the same.
(function () {
  "use strict";
  var note = document.getElementById("status");
  if (!note || note.getAttribute("data-running") !== "1") {
    return;
  }
  function poll() {
    fetch("/status", { cache: "no-store" })
      .then(function (answer) { return answer.json(); })
      .then(function (status) {
        note.querySelector(".text").textContent = status.text;
        if (status.running) {
          setTimeout(poll, 1000);
        } else {
          note.setAttribute("data-running", "0");
        }
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
