// Why the analysis on screen cannot be edited by the user, in the words the views show (report, classification).
import { userName } from "./workflow.js";

// "what" names what cannot be changed, e.g. "the report" or "classifications".
export function readOnlyReason(wf, what) {
  const r = wf.round;
  const subject = wf.subject || "analysis"; // the VARIANTS workflow says "variant"
  if (!r && subject === "variant") return `Read only: start the interpretation to change ${what}.`; // created by START
  if (!r) return `Read only: the ${subject} has no interpretation round, so ${what} cannot be changed.`;
  if (r.status === "Done" && r.finalized) return `Finalized: ${what} can no longer be changed (Reopen starts a new round).`;
  if (r.status === "Done") return `Read only: this interpretation round is finished.`;
  if (r.status === "Not started") return `Read only: start the interpretation to change ${what}.`;
  const owner = userName(r.user);
  return `Read only: ${owner || "another user"} is interpreting this ${subject}.`;
}
