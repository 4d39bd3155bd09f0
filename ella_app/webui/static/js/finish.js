// The FINISH dialog of a workflow (features U07, U14), shared by the analysis page and the VARIANTS page: the
// workflow statuses the round can be sent on to, and Finalize when the finalize requirements are met (else why
// not, and the variants that block it, each a link to the variant), with an optional work-log message.
import { get } from "./api.js";
import { h, modal, toast } from "./dom.js";
import { navigate } from "./app.js";

// wf: the page's workflow: base, round, dirty, save({quiet}), act(action, {message}).
// options:
//   title          the dialog's title
//   targets        [[action, label, help], ...]: the statuses to send the round on to
//   query          the query of finishallowed/ (e.g. the analysis' filter config)
//   preferred      (allowed, workflowStatus) -> the action chosen when the dialog opens
//   finalizeHelp   what finalizing means here
//   finalizedText  the toast after finalizing
//   noProblems     the reason shown when finalizing is refused without one
//   selectVariant  (alleleId) -> void: the blocking variants link to it (none: plain text)
//   overview       where to go after finishing
export async function finishDialog(wf, options) {
  if (wf.dirty && !(await wf.save({ quiet: true }))) return;
  let allowed;
  try {
    allowed = await get(`${wf.base}/interpretations/${wf.round.id}/finishallowed/`, options.query);
  } catch (err) {
    allowed = { allowed: false, problems: [err.message] };
  }
  const current = wf.round.workflow_status;
  const preferred = options.preferred(Boolean(allowed.allowed), current);
  let close = () => {};
  const choice = (value, label, help, disabled = false) => h("label", { class: "choice" },
    h("input", { type: "radio", name: "finish-target", value, checked: value === preferred, disabled }),
    h("span", null, h("strong", null, label), h("br"), help));
  const choices = options.targets.map(([action, label, help]) =>
    choice(action, label, h("span", { class: "small muted" }, help)));
  const problems = allowed.problems?.length ? allowed.problems : [options.noProblems];
  choices.push(choice("finalize", "Finalize", allowed.allowed
    ? h("span", { class: "small muted" }, options.finalizeHelp)
    : h("span", { class: "small", id: "finalize-problems" }, "Cannot finalize: ",
      h("ul", null, problems.map((p) => h("li", null, p))),
      blockingList(allowed.blocking || [], options.selectVariant, () => close())),
  !allowed.allowed));
  const message = h("textarea", { id: "finish-message", placeholder: "Message to the work log (optional)" });
  const submit = h("button", { type: "submit", class: "primary", id: "confirm-finish" }, "Finish");
  const form = h("form", { id: "finish-form" },
    h("fieldset", { style: { border: 0, padding: 0, margin: 0 } },
      h("legend", { class: "muted" }, `Current workflow status: ${current}. Finish as:`), choices),
    h("label", { for: "finish-message" }, "Work log message"), message);
  ({ close } = modal({
    title: options.title,
    body: form,
    actions: [h("button", { type: "button", onclick: () => close() }, "Cancel"), submit],
  }));
  const go = async (event) => {
    event.preventDefault();
    const chosen = form.querySelector("input[name=finish-target]:checked");
    if (!chosen || submit.disabled) return;
    submit.disabled = true;
    const ok = await wf.act(chosen.value, { message: message.value.trim() || undefined });
    close();
    if (ok) {
      toast(chosen.value === "finalize" ? options.finalizedText : "The interpretation is finished.");
      navigate(options.overview);
    }
  };
  form.addEventListener("submit", go);
  submit.addEventListener("click", go);
}

// The variants that block finalizing (the first 100), each a link to the variant when the page can show it.
function blockingList(blocking, selectVariant, close) {
  if (!blocking.length) return null;
  const name = (b) => b.variant || `variant ${b.allele_id}`;
  return h("ul", { id: "finalize-blocking" }, blocking.slice(0, 100).map((b) =>
    h("li", { "data-allele-id": b.allele_id },
      selectVariant ? h("a", { href: "#", onclick: (event) => { event.preventDefault(); close(); selectVariant(b.allele_id); } },
        name(b)) : name(b), `: ${b.reason}`)),
  blocking.length > 100 ? h("li", { class: "muted" }, `and ${blocking.length - 100} more`) : null);
}
