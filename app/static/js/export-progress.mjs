// A background export's page: ask the server how far the export has got every 2 seconds,
// and update the words (a live region, so screen readers hear them), the status tag and
// the progress bar. When the file is ready the download link appears; when the export
// failed or its file is gone, the page is reloaded so the server can explain and offer to
// try again. Without JavaScript the page's "Check progress" link does the same by hand.

const INTERVAL_MS = 2000;

export function startExportProgress(root) {
  if (!root || !root.dataset.statusUrl) {
    return;
  }
  const text = root.querySelector("[data-export-text]");
  const bar = root.querySelector("progress");
  const download = root.querySelector("[data-export-download]");
  const check = root.querySelector("[data-export-check]");
  const tag = document.querySelector("[data-export-tag]");

  function show(state) {
    if (text.textContent !== state.text) {
      text.textContent = state.text;
    }
    if (tag && tag.textContent !== state.label) {
      tag.textContent = state.label;
      tag.className = `govuk-tag govuk-tag--${state.colour}`;
    }
    if (bar) {
      if (state.total > 0 && state.measured) {
        bar.max = state.total;
        bar.value = state.done;
      } else {
        bar.removeAttribute("value");
      }
      bar.textContent = state.text;
    }
    if (state.status === "done" && state.download) {
      const link = download.querySelector("a");
      link.href = state.download.url;
      link.textContent = state.download.text;
      download.querySelector("[data-export-file]").textContent = state.download.file_name;
      download.hidden = false;
      if (check) {
        check.hidden = true;
      }
    } else if (state.finished) {
      window.location.reload();
    }
  }

  async function poll() {
    let state;
    try {
      const response = await fetch(root.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok || !type.includes("application/json")) {
        return; // signed out, or no longer ours to see: the "Check progress" link still works
      }
      state = await response.json();
    } catch {
      return; // offline for a moment: the link still works
    }
    show(state);
    if (!state.finished) {
      window.setTimeout(poll, INTERVAL_MS);
    }
  }

  window.setTimeout(poll, INTERVAL_MS);
}
