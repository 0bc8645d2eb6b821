// A classic script, apart from the dashboard's modules: if one of them fails to load or throws
// before the dashboard starts, the page would say "Loading…" forever (issue 15). By the load event
// every module has run, so a page that is not marked ready gets the plain-data links instead.
window.addEventListener('load', function () {
  if (document.documentElement.dataset.dashboard === 'ready') return;
  var box = document.getElementById('dashboard-fallback');
  if (box) box.hidden = false;
  var summary = document.getElementById('summary-line');
  if (summary) summary.textContent = 'The dashboard could not start.';
  var status = document.getElementById('live-status');
  if (status) {
    status.dataset.state = 'unavailable';
    var label = status.querySelector('.live-label');
    if (label) label.textContent = 'Not running';
  }
});
