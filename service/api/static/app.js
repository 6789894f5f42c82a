// The tomtat page: three views (editor, reader, archive) over the server's own API. Plain JS, no build
// step. Every visible string comes from i18n.js; texts that hold values are re-rendered on a language switch.
"use strict";

const STRINGS = window.TOMTAT_STRINGS;
const $ = (id) => document.getElementById(id);
let lang = STRINGS[localStorage.getItem("tomtat.lang")] ? localStorage.getItem("tomtat.lang") : "vi";

function t(key, params = {}) {
  const text = STRINGS[lang][key] ?? STRINGS.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}
const num = (n, digits = 1) => new Intl.NumberFormat(lang === "vi" ? "vi-VN" : "en-US", {maximumFractionDigits: digits}).format(n);

// ---- texts that hold values: each element keeps its renderer, run again when the language changes
const dynamic = new Map();
function show(el, render) {
  dynamic.set(el, render);
  render(el);
}
function say(el, key, params = {}) {
  show(el, (node) => { node.textContent = t(key, params); });
}
function clear(el) {
  dynamic.delete(el);
  el.replaceChildren();
}

function applyLanguage() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.querySelectorAll("[data-i18n-attr]").forEach((el) => {
    for (const pair of el.dataset.i18nAttr.split(";")) {
      const [attr, key] = pair.split(":");
      el.setAttribute(attr, t(key));
    }
  });
  document.querySelectorAll("[data-lang]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === lang)));
  for (const [el, render] of dynamic) {
    if (el.isConnected) render(el);
    else dynamic.delete(el);
  }
}

// ---- the API: the key from this browser, errors as codes the page words itself
class RequestError extends Error {
  constructor(status, code, detail = {}, retry = null) {
    super(code);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.retry = retry;
  }
}
const apiKey = () => localStorage.getItem("tomtat.apiKey") || "";

async function api(path, {method = "GET", json, form, signal} = {}) {
  const headers = {};
  if (apiKey()) headers.authorization = `Bearer ${apiKey()}`;
  let body;
  if (json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form) {
    body = form;
  }
  let response;
  try {
    response = await fetch(path, {method, headers, body, signal});
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new RequestError(0, "network");
  }
  if (!response.ok) {
    let detail = {};
    try { detail = (await response.json()).error || {}; } catch { /* not JSON: the status says enough */ }
    const code = detail.code || (response.status === 413 ? "body_too_large" : `http_${response.status}`);
    if (response.status === 401) $("key-bar").hidden = false;
    throw new RequestError(response.status, code, detail, response.headers.get("retry-after"));
  }
  return response;
}

function errorText(err) {
  const key = `error.${err.code}`;
  return key in STRINGS.vi ? t(key, {retry: err.retry || "?"}) : t("error.unknown", {code: err.code});
}

// ---- a running request: elapsed time, a cancel that aborts it (the server then drops its work)
const running = {};
function setupRunner(view) {
  const box = $(`${view}-running`);
  const state = {controller: null};
  box.querySelector(".cancel").addEventListener("click", () => state.controller?.abort());
  running[view] = async (work, buttons) => {
    const status = $(`${view}-status`);
    const error = $(`${view}-error`);
    error.hidden = true;
    clear(error);
    if (status) clear(status);
    state.controller = new AbortController();
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    const timer = box.querySelector(".timer");
    show(timer, (el) => { el.textContent = t("common.running", {seconds: num(elapsed())}); });
    const tick = setInterval(() => dynamic.get(timer)?.(timer), 100);
    box.hidden = false;
    buttons.forEach((b) => { b.disabled = true; });
    try {
      // work may name what finished (an upload answers before its job ends: "sent", not "done")
      const finished = (await work(state.controller.signal)) || "common.done";
      const took = elapsed();
      if (status) show(status, (el) => { el.textContent = t(finished, {seconds: num(took)}); });
    } catch (err) {
      const took = elapsed();
      if (err.name === "AbortError") {
        if (status) show(status, (el) => { el.textContent = t("common.cancelled", {seconds: num(took)}); });
      } else {
        error.hidden = false;
        show(error, (el) => { el.textContent = errorText(err); });
        error.dataset.code = err.code;
      }
    } finally {
      clearInterval(tick);
      box.hidden = true;
      buttons.forEach((b) => { b.disabled = b.dataset.unavailable === "true"; });  // still greyed if no model
      state.controller = null;
    }
  };
}

// ---- readiness: which engines and models answer now, and why the others do not
let readiness = {capabilities: {}, models: []};

function whyNot(task) {
  const states = readiness.models.filter((m) => m.tasks.includes(task)).map((m) => m.state);
  for (const state of ["loading", "broken", "missing"]) if (states.includes(state)) return `why.${state}`;
  return readiness.loading ? "why.loading" : "why.none";
}

function renderReadiness() {
  const caps = readiness.capabilities;
  const abstractiveReady = Boolean(caps["summarize:abstractive"]?.ready);
  const lines = [];
  for (const select of [$("engine"), $("archive-engine")]) {
    const option = select.querySelector('option[value="abstractive"]');
    option.disabled = !abstractiveReady;
    option.textContent = abstractiveReady ? t("engine.abstractive") : t("engine.not_ready", {engine: t("engine.abstractive")});
    if (!abstractiveReady && select.value === "abstractive") select.value = "auto";
  }
  if (!abstractiveReady) lines.push([t("engine.abstractive"), t(whyNot("summarize"))]);
  const directions = {"vi-en": ["translate:vi-en", "reader.vi_en"], "en-vi": ["translate:en-vi", "reader.en_vi"]};
  for (const [value, [cap, label]] of Object.entries(directions)) {
    const ready = Boolean(caps[cap]?.ready);
    const option = $("direction").querySelector(`option[value="${value}"]`);
    option.disabled = !ready;
    option.textContent = ready ? t(label) : t("engine.not_ready", {engine: t(label)});
    if (!ready) lines.push([t(label), t(whyNot(cap))]);
  }
  $("also-en").disabled = $("archive-en").disabled = !caps["translate:vi-en"]?.ready;
  // the reader greys out like the editor: with no direction ready there is nothing to send
  const anyDirection = Object.values(directions).some(([cap]) => caps[cap]?.ready);
  $("translate-article").disabled = !anyDirection;
  $("translate-article").dataset.unavailable = String(!anyDirection);
  $("reader-unavailable").hidden = anyDirection;
  show($("reader-unavailable"), (el) => { el.textContent = t("reader.unavailable", {why: t(whyNot("translate:vi-en"))}); });
  const direction = $("direction");
  if (direction.selectedOptions[0]?.disabled) {
    const open = [...direction.options].find((o) => !o.disabled);
    if (open) direction.value = open.value;
  }
  const list = $("why-not");
  list.replaceChildren(...lines.map(([what, why]) => {  // "what: why", each part one string of the tables
    const item = document.createElement("li");
    item.append(Object.assign(document.createElement("span"), {textContent: what}), ": ",
      Object.assign(document.createElement("span"), {textContent: why}));
    return item;
  }));
  const models = readiness.models.filter((m) => m.tasks.includes("summarize") && m.state === "ready");
  const select = $("model");
  const chosen = select.value;
  select.replaceChildren(...models.map((m) => new Option(m.name, m.name)));
  if (!models.length) select.append(Object.assign(new Option(t("editor.model_none"), ""), {disabled: true, selected: true}));
  if (models.some((m) => m.name === chosen)) select.value = chosen;
  select.disabled = !models.length || $("engine").value === "extractive";
}

async function loadReadiness() {
  try {
    const ready = await fetch("/readyz").then((r) => r.json());
    readiness = {...readiness, capabilities: ready.capabilities, loading: ready.loading};
    readiness.models = (await (await api("/v1/models")).json()).models;
  } catch { /* the key bar or the next try tells */ }
  show($("why-not"), renderReadiness);
  if (readiness.loading) setTimeout(loadReadiness, 2000);
}

// ---- editor: one article, its summary (and English), flags marked, what answered said in words
const LENGTHS = {
  short: {sentences: 2, options: {max_length: 80}},
  normal: {},
  long: {sentences: 5, options: {min_new_tokens: 64, max_length: 384}},
};

function flagTitle(flag) {
  const reason = t(`reason.${flag.reason}`);
  const source = flag.source_match ? ` (${t("reason.source", {text: flag.source_match})})` : "";
  return `${t(`kind.${flag.kind}`)}: ${reason}${source}`;
}

// the text with each flagged fact marked, its reason on hover; flags never change the text
function renderFlagged(el, text, flags) {
  el.replaceChildren();
  let at = 0;
  for (const flag of (flags || []).filter((f) => f.reason !== "missing").sort((a, b) => a.start - b.start)) {
    if (flag.start < at) continue;
    el.append(document.createTextNode(text.slice(at, flag.start)));
    const mark = document.createElement("mark");
    mark.className = "flag";
    mark.textContent = text.slice(flag.start, flag.end);
    mark.dataset.flag = JSON.stringify(flag);
    el.append(mark);
    at = flag.end;
  }
  el.append(document.createTextNode(text.slice(at)));
  show(el, (node) => node.querySelectorAll("mark.flag").forEach((m) => { m.title = flagTitle(JSON.parse(m.dataset.flag)); }));
}

function showSummary(result, askedEngine, title) {
  $("summary-result").hidden = false;
  $("summary-title").textContent = title;
  $("summary-title").hidden = !title;
  renderFlagged($("summary"), result.summary, result.flags);
  $("summary-en-block").hidden = result.summary_en == null;
  renderFlagged($("summary-en"), result.summary_en || "", result.flags_en);
  const flags = [...(result.flags || []), ...(result.flags_en || [])];
  $("flags-hint").hidden = !flags.some((f) => f.reason !== "missing");
  const missing = flags.filter((f) => f.reason === "missing").map((f) => f.text);
  $("left-out").hidden = !missing.length;
  say($("left-out"), "editor.left_out", {facts: missing.join(", ")});
  show($("summary-about"), (el) => {
    const parts = [result.engine === "abstractive" ? t("about.abstractive", {model: result.model}) : t("about.extractive")];
    if (result.engine !== "abstractive" && askedEngine === "auto") parts.push(t("about.fallback"));
    if (result.engine === "abstractive") parts.push(t(result.chunked ? "about.chunked" : "about.whole"));
    if (result.input_tokens) parts.push(t("about.tokens", {tokens: num(result.input_tokens, 0)}));  // extractive: none
    el.replaceChildren(...parts.flatMap((part, i) => [i ? " " : "", Object.assign(document.createElement("span"), {textContent: part})]));
  });
}

async function summarize(signal) {
  $("summary-result").hidden = true;  // an error must never sit under the previous article's summary
  const engine = $("engine").value;
  const body = {text: $("text").value, engine, allow_any_language: $("any-language").checked, ...LENGTHS[$("length").value]};
  if (engine !== "extractive" && $("model").value) body.model = $("model").value;
  if ($("also-en").checked && !$("also-en").disabled) body.translate_to = "en";
  body.stream = true;  // the summary shows as it is generated, then the whole result with its flags
  const response = await api("/v1/summarize", {method: "POST", json: body, signal});
  const live = $("summary-live");
  let streamed = "";
  try {
    for await (const {event, data} of answerEvents(response)) {
      if (event === "token" && data.stage === "final") {
        streamed += data.text;
        live.hidden = false;
        live.textContent = streamed;
      } else if (event === "result") {
        if (data.result.error) throw new RequestError(422, data.result.error.code, data.result.error);
        showSummary(data.result, engine, $("title").value.trim());
      } else if (event === "error") {
        throw new RequestError(0, data.error.code, data.error);
      }
    }
  } finally {
    live.hidden = true;  // the whole result, flags marked, takes its place
    live.textContent = "";
  }
}

async function openArticle(input, textArea, statusEl, titleInput) {
  const file = input.files[0];
  if (!file) return;
  say(statusEl, "editor.file_loading");
  const form = new FormData();
  form.append("file", file);
  try {
    const article = await (await api("/v1/extract", {method: "POST", form})).json();
    textArea.value = article.text;
    if (titleInput && article.title) titleInput.value = article.title;
    say(statusEl, "editor.file_loaded", {name: file.name});
  } catch (err) {
    show(statusEl, (el) => { el.textContent = errorText(err); });
  }
}

async function copyFrom(id, button) {
  const text = $(id).textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch {  // no clipboard permission (plain http on another host): the old way
    const area = Object.assign(document.createElement("textarea"), {value: text});
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  button.dataset.i18n = "common.copied";
  button.textContent = t("common.copied");
  setTimeout(() => { button.dataset.i18n = "common.copy"; button.textContent = t("common.copy"); }, 1500);
}

// ---- reader: paragraph by paragraph, each shown as soon as it is translated, aligned with its source
const PARALLEL = 3;  // paragraphs in flight at once: the server batches them together

async function translateArticle(signal) {
  const [source, target] = $("direction").value.split("-");
  const paragraphs = $("reader-text").value.split(/\n+/).map((p) => p.trim()).filter(Boolean);
  const pairs = $("reader-pairs");
  pairs.querySelectorAll(".pair:not(.head)").forEach((row) => row.remove());
  pairs.hidden = false;
  if (!paragraphs.length) throw new RequestError(422, "empty_text");
  const cells = paragraphs.map((paragraph) => {
    const row = Object.assign(document.createElement("div"), {className: "pair"});
    const src = Object.assign(document.createElement("div"), {className: "src user", textContent: paragraph, lang: source});
    const dst = Object.assign(document.createElement("div"), {className: "dst pending", lang: target});
    say(dst, "reader.pending");
    row.append(src, dst);
    pairs.append(row);
    return dst;
  });
  let done = 0;
  const progress = $("reader-status");
  const report = () => say(progress, "reader.progress", {done, total: paragraphs.length});
  report();
  let next = 0;
  const failures = [];
  async function worker() {
    while (next < paragraphs.length && !signal.aborted) {
      const index = next++;
      const cell = cells[index];
      try {
        const json = {text: paragraphs[index], source, target, stream: true};
        const response = await api("/v1/translate", {method: "POST", json, signal});
        let streamed = "";
        for await (const {event, data} of answerEvents(response)) {
          if (event === "token") {
            dynamic.delete(cell);
            streamed += data.text;
            cell.textContent = streamed;
          } else if (event === "result") {
            if (data.result.error) throw new RequestError(422, data.result.error.code, data.result.error);
            dynamic.delete(cell);
            cell.className = "dst user";
            cell.textContent = data.result.translation;
          } else if (event === "error") {
            throw new RequestError(0, data.error.code, data.error);
          }
        }
        done += 1;  // only what was translated counts as done
      } catch (err) {
        if (err.name === "AbortError") throw err;
        cell.className = "dst failed";
        show(cell, (el) => { el.textContent = t("reader.failed", {error: errorText(err)}); });
        failures.push(err);
      }
      report();
    }
  }
  await Promise.all(Array.from({length: Math.min(PARALLEL, paragraphs.length)}, worker));
  if (failures.length === paragraphs.length) throw failures[0];
}

// ---- archive: upload, pick fields, follow the job's events, cancel, download, recent jobs
let followed = null;  // {id, controller}

function fillFields(fields, preferredText = "text") {
  const guess = [preferredText, "text", "body", "content", "article", "noi_dung"].find((f) => fields.includes(f)) || fields[0];
  const textSelect = $("text-field");
  const fieldOption = (f, selected) => Object.assign(new Option(f, f, false, selected), {className: "user"});
  textSelect.replaceChildren(...fields.map((f) => fieldOption(f, f === guess)));
  const idSelect = $("id-field");
  const rowOption = new Option("", "");
  rowOption.dataset.i18n = "archive.row_number";
  // "id", else a field named like one ("article_id", "post_id", "ma_bai"): the row number only when none is
  const idGuess = fields.find((f) => f.toLowerCase() === "id") || fields.find((f) => /(^|_)(id|ma_bai|nid)$/i.test(f));
  idSelect.replaceChildren(rowOption, ...fields.map((f) => fieldOption(f, f === idGuess)));
  $("field-pickers").hidden = false;
  $("fields-hint").hidden = false;
  say($("fields-hint"), "archive.fields_hint", {fields: fields.join(", ")});
  applyLanguage();
}

function parseCsvHeader(line) {
  const fields = [];
  let field = "", quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') { field += '"'; i++; }
    else if (c === '"') quoted = !quoted;
    else if (c === "," && !quoted) { fields.push(field); field = ""; }
    else field += c;
  }
  return [...fields, field].map((f) => f.trim()).filter(Boolean);
}

// the file's fields from its first lines (JSONL, CSV); a Parquet file's come from the server when needed
async function peekFields(file) {
  const name = file.name.toLowerCase();
  if (name.endsWith(".parquet")) return null;
  const head = await file.slice(0, 256 * 1024).text();
  const lines = head.split(/\r?\n/).filter((l) => l.trim());
  if (name.endsWith(".csv")) return lines.length ? parseCsvHeader(lines[0]) : null;
  const fields = new Set();
  for (const line of lines.slice(0, 50)) {
    try { Object.keys(JSON.parse(line)).forEach((k) => fields.add(k)); } catch { /* a cut last line */ }
  }
  return fields.size ? [...fields] : null;
}

async function startJob(signal) {
  const file = $("archive-file").files[0];
  if (!file) throw new RequestError(422, "no_file");
  const options = {engine: $("archive-engine").value};
  if (!$("field-pickers").hidden) {
    options.text_field = $("text-field").value;
    options.id_field = $("id-field").value;
  }
  if ($("archive-en").checked && !$("archive-en").disabled) options.translate_to = "en";
  const form = new FormData();
  form.append("file", file);
  form.append("options", JSON.stringify(options));
  say($("archive-status"), "archive.uploading");
  let job;
  try {
    job = await (await api("/v1/uploads", {method: "POST", form, signal})).json();
  } catch (err) {
    if (err.code === "missing_field" && err.detail.choices?.length) {
      fillFields(err.detail.choices);
      throw new RequestError(422, "missing_field_pick");
    }
    throw err;
  }
  $("job-note").hidden = !job.resent;  // the same file with the same options: its earlier job, not a new one
  if (job.resent) say($("job-note"), "archive.resent");
  follow(job);
  loadJobs();
  return "archive.sent";
}

function renderJob(job) {
  $("job-panel").hidden = false;
  $("job-panel").dataset.job = job.id;
  $("job-panel").dataset.state = job.state;
  const name = job.name || job.id.slice(0, 8);
  $("job-panel").dataset.base = resultsName(job);
  say($("job-heading"), "archive.job", {name});
  $("job-progress").max = Math.max(1, job.total);
  $("job-progress").value = job.done;
  show($("job-numbers"), (el) => {
    const parts = [t("archive.progress", {done: num(job.done, 0), total: num(job.total, 0)}), t(`state.${job.state}`)];
    if (job.docs_per_second) parts.push(t("archive.rate", {rate: num(job.docs_per_second)}));
    if (job.eta_seconds != null) parts.push(t("archive.eta", {eta: duration(job.eta_seconds)}));
    if (job.failed) parts.push(t("archive.failed_count", {failed: num(job.failed, 0)}));
    el.textContent = parts.join(" · ");
  });
  const errors = Object.entries(job.errors || {});
  $("job-errors").hidden = !errors.length;
  const list = $("job-error-list");
  list.replaceChildren(...errors.map(([code, count]) => {
    const item = document.createElement("li");
    item.dataset.code = code;
    const label = document.createElement("span");
    show(label, (el) => { el.textContent = errorText({code}); });
    const counted = Object.assign(document.createElement("span"), {className: "count"});
    show(counted, (el) => { el.textContent = num(count, 0); });
    item.append(counted, " — ", label);  // "2 — Dòng không đọc được.": the message stays a sentence
    return item;
  }));
  $("cancel-job").disabled = !["queued", "running"].includes(job.state);
}

// "archive.jsonl" -> "archive-results": the downloaded file is named after the uploaded one
const resultsName = (job) => `${(job.name || job.id.slice(0, 8)).replace(/\.[^.]+$/, "")}-results`;

function duration(seconds) {
  if (seconds < 90) return t("duration.seconds", {n: num(Math.round(seconds), 0)});
  if (seconds < 5400) return t("duration.minutes", {n: num(Math.round(seconds / 60), 0)});
  return t("duration.hours", {n: num(seconds / 3600)});
}

// server-sent events read with fetch (EventSource cannot send the API key or a POST body)
async function* serverEvents(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      yield {event: /^event: (.*)$/m.exec(block)?.[1], data: JSON.parse(/^data: (.*)$/m.exec(block)?.[1] || "{}")};
    }
  }
}

// an answer asked for as a stream: its events, or (a proxy or stub that answers JSON) the same as events
async function* answerEvents(response) {
  if ((response.headers.get("content-type") || "").startsWith("text/event-stream")) {
    yield* serverEvents(response);
    return;
  }
  const data = await response.json();
  for (const [index, result] of data.results.entries()) yield {event: "result", data: {index, result}};
}

async function follow(job) {
  followed?.controller.abort();
  const controller = new AbortController();
  followed = {id: job.id, controller};
  renderJob(job);
  try {
    const response = await api(`/v1/jobs/${job.id}/events`, {signal: controller.signal});
    for await (const {event, data} of serverEvents(response)) {
      if (event === "progress") {
        $("job-panel").dataset.events = String(Number($("job-panel").dataset.events || 0) + 1);
        renderJob(data);
      }
    }
    loadJobs();
  } catch (err) {
    if (err.name !== "AbortError") showArchiveError(err);
  }
}

function showArchiveError(err) {
  const error = $("archive-error");
  error.hidden = false;
  error.dataset.code = err.code;
  show(error, (el) => { el.textContent = errorText(err); });
}

async function download(jobId, name, format) {
  try {
    const blob = await (await api(`/v1/jobs/${jobId}/results?format=${format}`)).blob();
    const link = Object.assign(document.createElement("a"), {href: URL.createObjectURL(blob), download: `${name}.${format}`});
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  } catch (err) {
    showArchiveError(err);
  }
}

function jobButton(key, onClick) {
  const button = Object.assign(document.createElement("button"), {type: "button"});
  button.dataset.i18n = key;
  button.textContent = t(key);
  button.addEventListener("click", onClick);
  return button;
}

async function loadJobs() {
  let jobs = [];
  try {
    jobs = (await (await api("/v1/jobs?limit=20")).json()).jobs;
  } catch { return; }
  const list = $("jobs-list");
  list.replaceChildren(...jobs.map((job) => {
    const item = document.createElement("li");
    item.dataset.job = job.id;
    const base = resultsName(job);
    const name = Object.assign(document.createElement("span"), {className: job.name ? "job-name user" : "job-name"});
    if (job.name) name.textContent = job.name;
    else name.dataset.i18n = "archive.documents";
    const facts = document.createElement("span");
    show(facts, (el) => {
      const created = new Date(job.created * 1000).toLocaleString(lang === "vi" ? "vi-VN" : "en-GB");
      el.textContent = [t(`state.${job.state}`), t("archive.progress", {done: num(job.done, 0), total: num(job.total, 0)}),
        t("archive.created", {time: created})].join(" · ");
    });
    item.append(name, facts,
      jobButton("archive.follow", () => follow(job)),
      jobButton("archive.download_jsonl", () => download(job.id, base, "jsonl")),
      jobButton("archive.download_csv", () => download(job.id, base, "csv")));
    return item;
  }));
  $("no-jobs").hidden = jobs.length > 0;
  applyLanguage();
}

// ---- views and start-up
function route() {
  const view = ["editor", "reader", "archive"].includes(location.hash.slice(1)) ? location.hash.slice(1) : "editor";
  for (const name of ["editor", "reader", "archive"]) $(`view-${name}`).hidden = name !== view;
  document.querySelectorAll("nav a").forEach((a) => {
    if (a.dataset.view === view) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  });
  if (view === "archive") loadJobs();
}

async function start() {
  applyLanguage();
  ["editor", "reader", "archive"].forEach(setupRunner);
  document.querySelectorAll("[data-lang]").forEach((b) => b.addEventListener("click", () => {
    lang = b.dataset.lang;
    localStorage.setItem("tomtat.lang", lang);
    applyLanguage();
  }));
  $("api-key").value = apiKey();
  $("key-bar").addEventListener("submit", (e) => {
    e.preventDefault();
    localStorage.setItem("tomtat.apiKey", $("api-key").value.trim());
    say($("key-hint"), "key.saved");
    loadReadiness();
  });
  $("summarize").addEventListener("click", () => running.editor(summarize, [$("summarize")]));
  $("translate-article").addEventListener("click", () => running.reader(translateArticle, [$("translate-article")]));
  $("start-job").addEventListener("click", () => running.archive(startJob, [$("start-job")]));
  $("engine").addEventListener("change", renderReadiness);
  $("file").addEventListener("change", () => openArticle($("file"), $("text"), $("file-status"), $("title")));
  $("reader-file").addEventListener("change", () => openArticle($("reader-file"), $("reader-text"), $("reader-file-status")));
  document.querySelectorAll("[data-copy]").forEach((b) => b.addEventListener("click", () => copyFrom(b.dataset.copy, b)));
  $("archive-file").addEventListener("change", async () => {
    const file = $("archive-file").files[0];
    $("archive-file-name").textContent = file ? file.name : "";
    const fields = file ? await peekFields(file) : null;
    $("field-pickers").hidden = $("fields-hint").hidden = !fields;
    if (fields) fillFields(fields);
  });
  $("cancel-job").addEventListener("click", async () => {
    const id = $("job-panel").dataset.job;
    try { renderJob(await (await api(`/v1/jobs/${id}`, {method: "DELETE"})).json()); } catch (err) { showArchiveError(err); }
  });
  for (const format of ["jsonl", "csv"]) {
    $(`download-${format}`).addEventListener("click", () => download($("job-panel").dataset.job, $("job-panel").dataset.base, format));
  }
  $("refresh-jobs").addEventListener("click", loadJobs);
  window.addEventListener("hashchange", route);
  try {
    const settings = await fetch("/frontend/settings").then((r) => r.json());
    if (settings.keyRequired) $("key-bar").hidden = false;
  } catch { /* shown on the first 401 instead */ }
  route();
  await loadReadiness();
  document.body.dataset.ready = "true";
}

start();
