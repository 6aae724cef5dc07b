// Session timeout warning (WCAG 2.2.1 Timing Adjustable).
//
// The server ends a session after SESSION_IDLE_MINUTES without a request. This
// warns SESSION_WARNING_MINUTES before that, in a modal dialog, and lets the user
// stay signed in with one action (the button, or Escape). Activity in any tab of
// the service counts: each page load records the time in localStorage.

const STORAGE_KEY = "section17:last-activity";
// Leave the page a moment after the server's deadline, so the server has ended the session too.
const GRACE_MS = 1500;

function now() {
  return Date.now();
}

function lastActivity() {
  const stored = Number(window.localStorage.getItem(STORAGE_KEY));
  return Number.isFinite(stored) && stored > 0 ? stored : now();
}

function recordActivity() {
  try {
    window.localStorage.setItem(STORAGE_KEY, String(now()));
  } catch {
    // Storage may be disabled; the warning still works for this tab.
  }
}

function serialise(form) {
  return new URLSearchParams(new FormData(form)).toString();
}

function describe(seconds) {
  if (seconds >= 60) {
    const minutes = Math.ceil(seconds / 60);
    return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  }
  const rounded = Math.max(0, Math.ceil(seconds));
  return `${rounded} second${rounded === 1 ? "" : "s"}`;
}

export function startSessionTimeout(dialog) {
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  const idleMs = Number(dialog.dataset.idleSeconds) * 1000;
  const warningMs = Math.min(Number(dialog.dataset.warningSeconds) * 1000, idleMs / 2);
  if (!idleMs) {
    return;
  }
  const countdown = dialog.querySelector(".app-timeout-dialog__countdown");
  const live = document.getElementById("session-timeout-live");
  const stay = document.getElementById("session-timeout-stay");
  const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
  let returnFocusTo = null;
  let lastAnnounced = "";

  recordActivity();

  async function staySignedIn() {
    const response = await fetch(dialog.dataset.keepAliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken, Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) {
      signOutNow();
      return;
    }
    recordActivity();
    if (dialog.open) {
      dialog.close();
    }
    if (returnFocusTo) {
      returnFocusTo.focus();
    }
  }

  // A questionnaire page's answers as typed, to tell at the end whether any were changed since it loaded.
  const answersForm = document.querySelector("form[data-questionnaire]");
  const answersAsLoaded = answersForm ? serialise(answersForm) : "";

  function signOutNow() {
    if (answersForm && serialise(answersForm) !== answersAsLoaded) {
      // Answers typed but not saved: send them rather than leave the page. The session has just
      // ended, so the service keeps them (the form's keep token says whose they are), asks the
      // person to sign in, and then shows them back to be checked and saved.
      answersForm.submit();
      return;
    }
    const next = window.location.pathname + window.location.search;
    const url = new URL(dialog.dataset.timedOutUrl, window.location.href);
    url.searchParams.set("next", next);
    window.location.assign(url.toString());
  }

  function tick() {
    const remaining = lastActivity() + idleMs - now();
    if (remaining <= -GRACE_MS) {
      signOutNow();
      return;
    }
    if (remaining <= 0) {
      countdown.textContent = describe(0);
    } else if (remaining <= warningMs) {
      const text = describe(remaining / 1000);
      countdown.textContent = text;
      if (!dialog.open) {
        returnFocusTo = document.activeElement;
        dialog.showModal();
        stay.focus();
      }
      // Announce at whole minutes and at 20 seconds, not every second.
      const announce = remaining > 60000 ? describe(remaining / 1000) : remaining <= 20000 ? "20 seconds" : "1 minute";
      if (announce !== lastAnnounced) {
        lastAnnounced = announce;
        live.textContent = `You will be signed out in ${announce}.`;
      }
    } else if (dialog.open) {
      // Another tab kept the session alive.
      dialog.close();
    }
  }

  stay.addEventListener("click", staySignedIn);
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    staySignedIn();
  });
  window.setInterval(tick, 1000);
}
