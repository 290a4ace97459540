// kbops review: keyboard shortcuts and posting a verdict. Served from the package; the page's
// Content-Security-Policy allows this file and nothing else to run.
"use strict";

(function () {
  const token = document.querySelector('meta[name="kbops-review-token"]').content;
  const form = document.getElementById("verdict-form");
  const keys = document.getElementById("keys");
  const status = document.getElementById("status");

  function say(text, failed) {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("error", Boolean(failed));
  }

  function typing(target) {
    return target instanceof HTMLElement &&
      (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
  }

  function follow(id) {
    const link = document.getElementById(id);
    if (link) window.location.assign(link.href);
  }

  function toggleKeys() {
    keys.hidden = !keys.hidden;
  }

  function choose(key) {
    if (!form) return false;
    const radio = form.querySelector('input[name="verdict"][data-key="' + key + '"]');
    if (!radio) {
      const allowed = Array.from(form.querySelectorAll('input[name="verdict"]')).map((r) => r.dataset.key);
      say("Key " + key + " does not fit this ticket: use " + allowed.join(", ") + ".", true);
      return true;
    }
    radio.checked = true;
    say("Verdict: " + radio.value + ". Press e for a note, Enter to record.");
    return true;
  }

  async function record(event) {
    event.preventDefault();
    const chosen = form.querySelector('input[name="verdict"]:checked');
    if (!chosen) {
      say("Pick a verdict first (the number keys).", true);
      return;
    }
    const button = document.getElementById("record");
    button.disabled = true;
    say("Recording…");
    try {
      const response = await fetch("/api/verdict", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-Kbops-Review-Token": token },
        body: JSON.stringify({
          ticket_id: form.dataset.ticket,
          verdict: chosen.value,
          note: document.getElementById("note").value,
          correct_article_ids: document.getElementById("articles").value,
        }),
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        say(answer.error || "The server refused the verdict (HTTP " + response.status + ").", true);
        button.disabled = false;
        return;
      }
      say("Recorded " + answer.verdict + " (" + answer.graded + " of " + answer.total + " graded).");
      window.location.assign(answer.next);
    } catch (error) {
      say("Could not reach the review server: " + error.message, true);
      button.disabled = false;
    }
  }

  document.getElementById("keys-toggle").addEventListener("click", toggleKeys);
  if (form) form.addEventListener("submit", record);

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (typing(event.target)) {
      if (event.key === "Escape") {
        event.target.blur();
      } else if (event.key === "Enter" && !event.shiftKey && event.target.tagName === "TEXTAREA" && form) {
        event.preventDefault();
        form.requestSubmit();
      }
      return; // every other key is the reviewer's text
    }
    let handled = true;
    if (/^[1-6]$/.test(event.key)) {
      handled = choose(event.key);
    } else if (event.key === "e" && form) {
      document.getElementById("note").focus();
    } else if (event.key === "a" && form) {
      document.getElementById("articles").focus();
    } else if (event.key === "Enter" && form) {
      form.requestSubmit();
    } else if (event.key === "n") {
      follow(document.getElementById("next") ? "next" : "start");
    } else if (event.key === "p") {
      follow("prev");
    } else if (event.key === "q") {
      window.location.assign("/");
    } else if (event.key === "?") {
      toggleKeys();
    } else if (event.key === "Escape" && !keys.hidden) {
      keys.hidden = true;
    } else {
      handled = false;
    }
    if (handled) event.preventDefault();
  });
})();
