// The demo calls the proxy with a publishable key bound to this page's origin, taken from the page's fragment
// (/_/demo#key=lp-pk-...): it is public by design, and a fragment never leaves the browser, so it is still in no
// request line and no server log. Module scripts run before the elements' first call, so the key is in place in time.
const key = new URLSearchParams(location.hash.slice(1)).get('key');
if (key) for (const element of document.querySelectorAll('ai-text-enhancer')) element.setAttribute('api-key', key);

// Shows the element's events on the demo page (kept out of the page so its Content-Security-Policy needs no inline script).
const log = document.getElementById('log');
for (const type of ['enhance-start', 'enhance-done', 'enhance-error', 'enhance-cancel', 'enhance-accept']) {
  document.addEventListener(type, (event) => {
    const source = event.target.getAttribute('editor-id');
    const detail = JSON.stringify(event.detail);
    log.textContent = `${type} (${source}) ${detail.length > 160 ? detail.slice(0, 160) + '…' : detail}\n` + log.textContent;
  });
}
