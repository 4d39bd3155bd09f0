// Attachments of a classification (feature A10): e.g. a lab report PDF next to the classification of a variant.
// Shown in the classification form: those of the current classification, and while the user's round is under
// way the list the next classification will carry (the draft's attachment_ids, kept in the interpretation
// state): upload adds to it, ✕ leaves one out. The server checks size, name and type (api/v1/attachments/).
import { ApiError, cookie, get } from "./api.js";
import { h, replace, toast } from "./dom.js";

function sizeText(bytes) {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${bytes} B`;
}

async function upload(file) {
  const form = new FormData();
  form.append("file", file, file.name);
  let response;
  try {
    response = await fetch("api/v1/attachments/upload/", {
      method: "POST", body: form, credentials: "same-origin", cache: "no-store",
      headers: { Accept: "application/json", "X-CSRF-Token": cookie("csrf_token") || "" },
    });
  } catch (err) {
    throw new ApiError(0, { message: "The server cannot be reached. Check the network and try again." });
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data || { message: `HTTP ${response.status}` });
  return data;
}

// The attachment ids of the variant's current classification (ELLA's alleleassessment.attachment_ids).
async function currentIds(detail) {
  if (!detail.allele_assessment) return [];
  const found = await get("alleleassessments/", { allele_ids: String(detail.id) });
  const current = found.find((a) => a.id === detail.allele_assessment.id);
  return current?.attachment_ids || [];
}

export function renderAttachments(form, wf, detail) {
  // A reused classification keeps its attachments as they are (ELLA: read only until Re-evaluate).
  const editable = Boolean(wf.editable) && wf.alleleState(detail.id).alleleassessment?.reuse !== true;
  const draft = editable ? wf.alleleState(detail.id, true).alleleassessment : null;
  const list = h("ul", { id: "attachment-list" }, h("li", { class: "muted small" }, "Loading…"));
  const input = h("input", { type: "file", id: "attachment-file", class: "sr-only",
    "aria-label": "Attach a file to the classification" });
  const button = h("button", { type: "button", id: "attach", onclick: () => input.click() }, "Attach file…");
  const section = h("section", { class: "attachments", id: "classification-attachments", "aria-label": "Attachments" },
    h("label", null, "Attachments"), list, editable ? h("div", { class: "row" }, button, input) : null);
  const submitRow = form.querySelector("#classify")?.closest(".row");
  if (submitRow) submitRow.before(section); else form.append(section);

  let ids = [];
  const paint = async () => {
    if (!ids.length) {
      replace(list, h("li", { class: "empty small", id: "no-attachments" }, "No attachments."));
      return;
    }
    const items = await get("attachments/", { q: JSON.stringify({ id: ids }) });
    const byId = new Map(items.map((a) => [a.id, a]));
    replace(list, ids.filter((id) => byId.has(id)).map((id) => {
      const a = byId.get(id);
      const preview = a.thumbnail
        ? h("img", { class: "thumb", src: `data:image/jpeg;base64,${a.thumbnail}`, alt: "" })
        : h("span", { class: "icon" }, (a.extension || "file").toUpperCase().slice(0, 4));
      return h("li", { "data-attachment-id": id }, preview,
        h("span", null, h("a", { href: `api/v1/attachments/${id}`, download: a.filename }, a.filename), h("br"),
          h("span", { class: "small muted" }, `${sizeText(a.size)}${a.user ? ` · ${a.user.username}` : ""}`)),
        editable ? h("button", { type: "button", class: "link", "aria-label": `Leave out ${a.filename}`,
          title: "Leave out of the classification", onclick: () => {
            draft.attachment_ids = draft.attachment_ids.filter((x) => x !== id);
            ids = draft.attachment_ids;
            wf.markDirty();
            paint();
          } }, "✕") : null);
    }));
  };
  input.addEventListener("change", async () => {
    const file = input.files && input.files[0];
    input.value = "";
    if (!file) return;
    button.disabled = true;
    try {
      const stored = await upload(file);
      if (!draft.attachment_ids.includes(stored.id)) draft.attachment_ids.push(stored.id);
      ids = draft.attachment_ids;
      wf.markDirty();
      toast(`${stored.filename} attached: saved with the next classification.`);
      await paint();
    } catch (err) {
      toast(`Not attached: ${err.message}`, "error", 8000);
    } finally {
      button.disabled = false;
    }
  });
  (async () => {
    if (draft && Array.isArray(draft.attachment_ids)) ids = draft.attachment_ids;
    else {
      ids = await currentIds(detail);
      if (draft) draft.attachment_ids = [...ids];
    }
    await paint();
  })().catch((err) => replace(list, h("li", { class: "alert error small" }, err.message)));
}
