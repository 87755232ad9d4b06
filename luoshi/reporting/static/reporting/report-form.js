/* The report form: nothing typed is lost.
 *
 * Every entry form saves itself through htmx (hx-trigger "input delay:..."); this script
 * 1. keeps a copy of each entry's unsaved fields in localStorage, with the version they started
 *    from, and drops it once the server has saved exactly that text;
 * 2. restores such a copy when the page is opened again (after logging in anew, say) and saves it:
 *    if someone else changed the entry meanwhile, the server answers with a conflict instead;
 * 3. lets htmx swap the answers it would otherwise ignore (401 session expired, 409 conflict,
 *    422 refused) and shows the session-expired banner;
 * 4. shows the reason field only when the status is "behind schedule", and the reason for
 *    "no new progress this period" only when that is ticked;
 * 4a. "take over last period's text" copies it into the progress field (and saves it);
 * 5. does the same for the entries that "Start the report" swaps into the page (#report-body).
 * No framework, no inline script: the page's texts come from data-* attributes of #report-body.
 */
(function () {
  "use strict";

  var PREFIX = "luoshi.reporting.";
  var SWAPPED_ERRORS = [401, 409, 422];

  function storageKey(form) {
    return PREFIX + form.dataset.backupKey;
  }

  function fields(form) {
    return Array.prototype.slice.call(form.querySelectorAll("[data-autosave]"));
  }

  function values(form) {
    var data = {};
    fields(form).forEach(function (el) {
      data[el.name] = el.type === "checkbox" ? (el.checked ? "on" : "") : el.value;
    });
    return data;
  }

  function versionInput(form) {
    return form.querySelector("input[name=version]");
  }

  function readBackup(form) {
    try {
      return JSON.parse(window.localStorage.getItem(storageKey(form)) || "null");
    } catch (e) {
      return null;
    }
  }

  function sameFields(a, b) {
    return Object.keys(b).every(function (name) {
      return a[name] === b[name];
    });
  }

  function writeBackup(form) {
    var copy = { version: versionInput(form).value, fields: values(form), at: Date.now() };
    try {
      window.localStorage.setItem(storageKey(form), JSON.stringify(copy));
    } catch (e) {
      /* storage full or disabled: the server save still runs */
    }
  }

  function dropBackup(form) {
    try {
      window.localStorage.removeItem(storageKey(form));
    } catch (e) {
      /* nothing to drop */
    }
  }

  function indicator(form) {
    return document.getElementById(form.dataset.stateId);
  }

  // The messages are data-msg-* attributes of the entries' container (#report-body), written
  // once for the page rather than on every entry's form.
  function message(form, name) {
    var holder = form.closest("[data-msg-saving]");
    return holder ? holder.dataset[name] : "";
  }

  function say(form, text, css) {
    var el = indicator(form);
    if (!el) return;
    el.textContent = text;
    el.className = "save-state small " + (css || "text-muted");
  }

  function toggleReason(form) {
    var status = form.querySelector("select[name$=\"-status\"]");
    var reason = form.querySelector(".behind-reason");
    if (status && reason) reason.classList.toggle("d-none", status.value !== "behind");
    var none = form.querySelector("input[name$=\"-no_new_progress\"]");
    var why = form.querySelector(".no-progress-reason");
    if (none && why) why.classList.toggle("d-none", !none.checked);
  }

  function entryForm(el) {
    return el && el.closest ? el.closest("form[data-backup-key]") : null;
  }

  // Typing: count the change, keep a copy, say it is not saved yet.
  document.addEventListener("input", function (event) {
    var form = entryForm(event.target);
    if (!form || !event.target.hasAttribute("data-autosave")) return;
    form.dataset.generation = String(Number(form.dataset.generation || 0) + 1);
    writeBackup(form);
    toggleReason(form);
    say(form, message(form, "msgUnsaved"), "text-warning-emphasis");
  });

  // A save leaves: remember which generation of the text it carries.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = entryForm(event.detail.elt); // the entry's form, or a button inside it
    if (!form) return;
    form.dataset.sentGeneration = form.dataset.generation || "0";
    say(form, message(form, "msgSaving"), "text-muted");
  });

  // Answers htmx leaves unswapped by default carry a message for the user: swap them.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (SWAPPED_ERRORS.indexOf(event.detail.xhr.status) !== -1) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = entryForm(event.detail.elt);
    if (!form) return;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 200) {
      form.dataset.savedGeneration = form.dataset.sentGeneration;
      delete form.dataset.failed;
      if (form.dataset.generation === form.dataset.sentGeneration) {
        // The server holds exactly what was typed here. Another tab on the same entry may
        // have stored different text under the same key since: that copy stays.
        var copy = readBackup(form);
        if (!copy || sameFields(copy.fields, values(form))) dropBackup(form);
      } else {
        writeBackup(form); // more was typed meanwhile: keep it, on the new version
      }
    } else {
      form.dataset.failed = "1";
      if (status === 401) {
        say(form, message(form, "msgExpired"), "text-danger fw-semibold");
      } else if (SWAPPED_ERRORS.indexOf(status) === -1) {
        // Network failure, server error, CSRF refusal: the copy stays in this browser.
        say(form, message(form, "msgFailed"), "text-danger fw-semibold");
      }
    }
  });

  function unsavedForms() {
    return Array.prototype.filter.call(
      document.querySelectorAll("form[data-backup-key]"),
      function (form) {
        return (form.dataset.generation || "0") !== (form.dataset.savedGeneration || "0");
      }
    );
  }

  // A workflow button (submit, sign off...) waits until every entry typed into is saved.
  // A second click while the first one waits or runs does nothing (hx-disabled-elt only
  // disables the button once the request leaves).
  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail.elt;
    var workflow = elt.closest ? elt.closest(".workflow-form") : null;
    if (!workflow) return;
    if (workflow.dataset.busy) {
      event.preventDefault();
      return;
    }
    workflow.dataset.busy = "1";
    var pending = unsavedForms();
    if (!pending.length) return;
    event.preventDefault();
    pending.forEach(function (form) {
      delete form.dataset.failed;
      form.dispatchEvent(new CustomEvent("restored"));
    });
    var waited = 0;
    (function wait() {
      var left = unsavedForms();
      if (!left.length) {
        event.detail.issueRequest(true);
        return;
      }
      var stuck = left.every(function (form) {
        return form.dataset.failed;
      });
      if (stuck || waited > 15000) {
        delete workflow.dataset.busy;
        var note = document.getElementById("unsaved-warning");
        if (note) note.classList.remove("d-none");
        left[0].scrollIntoView({ block: "center" });
        return;
      }
      waited += 200;
      window.setTimeout(wait, 200);
    })();
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var workflow = event.detail.elt.closest ? event.detail.elt.closest(".workflow-form") : null;
    if (workflow && !event.detail.successful) delete workflow.dataset.busy;
  });

  document.addEventListener("htmx:sendError", function (event) {
    var form = entryForm(event.detail.elt);
    if (form) say(form, message(form, "msgFailed"), "text-danger fw-semibold");
  });

  // The server says the session is over (HX-Trigger on a 401): show the banner for the page.
  document.addEventListener("sessionExpired", function (event) {
    var banner = document.getElementById("session-expired");
    if (!banner) return;
    var message = event.detail && event.detail.message;
    if (message) banner.querySelector(".message").textContent = message;
    banner.classList.remove("d-none");
    banner.scrollIntoView({ block: "nearest" });
  });

  // "Take over last period's text": it becomes this period's text, to edit (and is saved).
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-take-over]") : null;
    if (!button) return;
    var field = document.getElementById(button.dataset.takeOver);
    var source = document.getElementById(button.dataset.source);
    if (!field || !source) return;
    field.value = source.textContent.trim();
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.focus();
  });

  // "Use their version": the entry is rendered again from the server; forget the local copy.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-discard-backup]") : null;
    if (!button) return;
    var form = document.getElementById(button.dataset.discardBackup);
    if (form) dropBackup(form);
  });

  function restore(form) {
    toggleReason(form);
    var copy = readBackup(form);
    if (!copy || !copy.fields) return;
    if (sameFields(copy.fields, values(form))) {
      dropBackup(form);
      return;
    }
    fields(form).forEach(function (el) {
      if (!(el.name in copy.fields)) return;
      if (el.type === "checkbox") el.checked = copy.fields[el.name] === "on";
      else el.value = copy.fields[el.name];
    });
    // Save on the version the text was written against: a later change by someone else
    // then shows as a conflict, never as a silent overwrite.
    versionInput(form).value = copy.version;
    form.dataset.generation = "1";
    form.dataset.savedGeneration = "0";
    toggleReason(form);
    say(form, message(form, "msgRestored"), "text-primary fw-semibold");
    form.dispatchEvent(new CustomEvent("restored"));
  }

  document.addEventListener("htmx:load", function (event) {
    var root = event.target;
    if (root === document.body || root.id === "report-body") {
      // The page, or its body swapped in by "Start the report": the entry forms are new.
      root.querySelectorAll("form[data-backup-key]").forEach(restore);
    } else if (root.matches && root.matches("form[data-backup-key]")) {
      toggleReason(root);
    }
  });

  // Back online after a failed save: try the entries that are still unsaved.
  window.addEventListener("online", function () {
    unsavedForms().forEach(function (form) {
      form.dispatchEvent(new CustomEvent("restored"));
    });
  });

  document.addEventListener("change", function (event) {
    var form = entryForm(event.target);
    if (form) toggleReason(form);
  });
})();
