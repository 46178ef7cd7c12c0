// Shows every <time> in the reader's own time zone; the UTC time stays in the title (on hover).
(function () {
  "use strict";
  var format = new Intl.DateTimeFormat(undefined, {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short"
  });
  function localise() {
    var times = document.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var moment = new Date(times[i].getAttribute("datetime"));
      if (!isNaN(moment.getTime())) { times[i].textContent = format.format(moment); }
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", localise); } else { localise(); }
})();
