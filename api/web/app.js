// adstream's creative browser. Its whole state lives in the URL
// (/?brand=…&startDate=…&endDate=…&sortBy=…&sortOrder=…[&type=…][&page=…]),
// so a link reopens the same view. It reads the API of the server that
// serves it; an API key, when the API asks for one, stays in this tab's
// sessionStorage and travels as a bearer header, never in a URL. The sync
// progress stream is opened with a short-lived stream token, since
// EventSource cannot send headers.
"use strict";
(() => {
  const TYPES = ["all", "video", "image", "carousel", "unknown"];
  const KEY = "adstream.apiKey";
  const PAGE_SIZE = 25;
  const $ = (id) => document.getElementById(id);
  const money = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const count = new Intl.NumberFormat("en-US");

  let loads = 0; // the number of the latest load; an older one's answers are dropped
  let stream = null; // the open progress EventSource
  let brands = null; // the brand list, read once

  // ---- state in the URL ----

  const day = (d) => d.toISOString().slice(0, 10);
  const addDays = (d, n) => new Date(d.getTime() + n * 86400000);

  function readState() {
    const q = new URLSearchParams(location.search);
    const validDay = (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v || "") ? v : "");
    const endDate = validDay(q.get("endDate")) || day(addDays(new Date(), -1));
    return {
      brand: q.get("brand") || "",
      startDate: validDay(q.get("startDate")) || day(addDays(new Date(endDate + "T00:00:00Z"), -29)),
      endDate,
      sortBy: q.get("sortBy") || "spend",
      sortOrder: q.get("sortOrder") === "asc" ? "asc" : "desc",
      type: TYPES.includes(q.get("type")) ? q.get("type") : "all",
      page: Math.max(1, parseInt(q.get("page"), 10) || 1),
      limit: Math.min(500, Math.max(1, parseInt(q.get("limit"), 10) || PAGE_SIZE)),
    };
  }

  function urlOf(s) {
    const q = new URLSearchParams({ brand: s.brand, startDate: s.startDate, endDate: s.endDate, sortBy: s.sortBy, sortOrder: s.sortOrder });
    if (s.type !== "all") q.set("type", s.type);
    if (s.page > 1) q.set("page", String(s.page));
    if (s.limit !== PAGE_SIZE) q.set("limit", String(s.limit));
    return "/?" + q.toString();
  }

  // go moves to the view s: a new history entry, so Back returns.
  function go(s) {
    history.pushState(null, "", urlOf(s));
    load();
  }

  // ---- the API ----

  async function api(method, path, params) {
    const headers = { Accept: "application/json" };
    const key = sessionStorage.getItem(KEY);
    if (key) headers.Authorization = "Bearer " + key;
    const resp = await fetch(path + (params ? "?" + new URLSearchParams(params) : ""), { method, headers });
    let body = null;
    try {
      body = await resp.json();
    } catch (_) {
      body = null;
    }
    if (!resp.ok) {
      const err = new Error((body && body.error && body.error.message) || resp.status + " " + resp.statusText);
      err.status = resp.status;
      throw err;
    }
    return body;
  }

  // ---- rendering ----

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k.startsWith("data-")) e.dataset[k.slice(5).replace(/-(.)/g, (_, c) => c.toUpperCase())] = v;
      else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }

  // safeURL keeps only http(s) URLs and data: images, so a stored URL can
  // never become script.
  function safeURL(u) {
    try {
      const url = new URL(u, location.href);
      if (url.protocol === "http:" || url.protocol === "https:") return url.href;
      if (url.protocol === "data:" && /^data:image\//.test(u)) return u;
    } catch (_) {
      return "";
    }
    return "";
  }

  const pct = (v) => money.format(v) + "%";

  function thumbnail(c) {
    const src = safeURL(c.thumbnail_url || c.creative_url || "");
    if (!src) return el("span", { class: "sr" }, "no thumbnail");
    const img = el("img", { src, alt: c.ad_name || c.ad_id, loading: "lazy" });
    const video = safeURL(c.video_source_url || "");
    if (c.creative_type === "video" && video) {
      img.title = "Play";
      img.style.cursor = "pointer";
      img.addEventListener("click", () => {
        img.replaceWith(el("video", { src: video, poster: src, controls: "", autoplay: "", muted: "", playsinline: "" }));
      });
    }
    return img;
  }

  function renderRows(page) {
    const rows = page.creatives.map((c) =>
      el("tr", { "data-ad": c.ad_id },
        el("td", {}, thumbnail(c)),
        el("td", {}, el("div", {}, c.ad_name || "(no name)"), el("div", { class: "id" }, c.ad_id)),
        el("td", {}, el("span", { class: "type" }, c.creative_type)),
        el("td", { class: "num", "data-col": "spend" }, money.format(c.spend)),
        el("td", { class: "num", "data-col": "roas" }, money.format(c.roas)),
        el("td", { class: "num", "data-col": "ctr" }, pct(c.ctr)),
        el("td", { class: "num", "data-col": "hook_rate" }, pct(c.hook_rate)),
        el("td", { class: "num", "data-col": "impressions" }, count.format(c.impressions)),
      ));
    if (rows.length === 0) rows.push(el("tr", {}, el("td", { colspan: "8" }, "No creatives in this range yet.")));
    $("rows").replaceChildren(...rows);
  }

  function renderCards(aggs, s) {
    $("cards").replaceChildren(...aggs.map((a) => {
      const t = a.aggregations;
      const card = el("button", { type: "button", class: "card" + (a.creative_type === s.type ? " active" : ""), "data-type": a.creative_type },
        el("h2", {}, a.creative_type === "all" ? "all creatives" : a.creative_type),
        el("dl", {},
          el("dt", {}, "Ads"), el("dd", { "data-col": "ads" }, count.format(t.total_ads)),
          el("dt", {}, "Spend"), el("dd", { "data-col": "spend" }, money.format(t.total_spend)),
          el("dt", {}, "ROAS"), el("dd", { "data-col": "roas" }, money.format(t.weighted_avg_roas)),
          el("dt", {}, "CTR"), el("dd", { "data-col": "ctr" }, pct(t.weighted_avg_ctr))));
      card.addEventListener("click", () => go({ ...readState(), type: a.creative_type, page: 1 }));
      return card;
    }));
  }

  function renderSummary(page, s) {
    const parts = [count.format(page.total_creatives) + " creatives", "page " + page.page + " of " + Math.max(1, page.total_pages)];
    if (page.complete) parts.push("complete as of " + new Date(page.syncedAt).toLocaleString());
    else if (page.message) parts.push(page.message);
    if (page.dataSource === "api_fallback") parts.push("first page fetched live from the Graph API");
    $("summary").textContent = parts.join(" · ");
    $("prev").disabled = s.page <= 1;
    $("next").disabled = !page.hasMore;
    $("pageInfo").textContent = page.page + " / " + Math.max(1, page.total_pages);
    for (const b of document.querySelectorAll("th button[data-sort]")) {
      if (b.dataset.sort === s.sortBy) b.setAttribute("aria-sort", s.sortOrder === "asc" ? "ascending" : "descending");
      else b.removeAttribute("aria-sort");
    }
  }

  function showAlert(msg) {
    $("alert").textContent = msg;
    $("alert").hidden = false;
  }

  // ---- sync progress ----

  function closeStream() {
    if (stream) stream.close();
    stream = null;
  }

  function showProgress(st) {
    const p = st.progress || { percentage: 0, processedAds: 0, totalAds: 0 };
    $("sync").hidden = false;
    $("sync").dataset.status = st.status;
    $("sync").dataset.percentage = String(p.percentage);
    $("syncBar").style.width = p.percentage + "%";
    $("syncBar").setAttribute("aria-valuenow", String(p.percentage));
    let text = "Sync " + st.status + ": " + p.percentage + "% (" + count.format(p.processedAds) + " of " + count.format(p.totalAds) + " ads)";
    if (st.estimatedCompletion) {
      const min = Math.max(0, Math.round((new Date(st.estimatedCompletion) - Date.now()) / 60000));
      text += ", about " + min + " min left";
    }
    $("syncText").textContent = text;
  }

  // follow shows the range's running sync and follows its progress stream;
  // when the sync completes, the view reloads with the complete figures.
  function follow(sync, s, seq) {
    closeStream();
    if (!sync || (sync.status !== "pending" && sync.status !== "processing")) {
      $("sync").hidden = true;
      return;
    }
    showProgress(sync);
    openStream(s, seq, 0);
  }

  async function openStream(s, seq, attempt) {
    let token;
    try {
      token = await api("POST", "/api/creatives/sync/stream-token/" + encodeURIComponent(s.brand), { startDate: s.startDate, endDate: s.endDate });
    } catch (err) {
      showAlert("Sync progress unavailable: " + err.message);
      return;
    }
    if (seq !== loads) return;
    const es = new EventSource(token.url);
    stream = es;
    es.addEventListener("progress", (ev) => {
      const st = JSON.parse(ev.data);
      showProgress(st);
      if (st.status === "completed") {
        closeStream();
        load(); // the figures are complete now
      } else if (st.status === "failed") {
        closeStream();
        showAlert("The sync failed: " + ((st.error && st.error.message) || "unknown error"));
      }
    });
    es.onerror = () => {
      // The stream ended (it lasts 30 minutes) or the connection dropped:
      // a new token, a new stream, a few times.
      if (stream !== es) return;
      closeStream();
      if (attempt < 5) setTimeout(() => seq === loads && openStream(s, seq, attempt + 1), 2000);
    };
  }

  // ---- loading a view ----

  async function loadBrands(s) {
    if (!brands) brands = (await api("GET", "/api/brands")).brands.map((b) => b.brandId);
    const ids = brands.includes(s.brand) || !s.brand ? brands : [s.brand, ...brands];
    $("brand").replaceChildren(...ids.map((id) => el("option", { value: id }, id)));
  }

  function fillForm(s) {
    $("brand").value = s.brand;
    $("startDate").value = s.startDate;
    $("endDate").value = s.endDate;
    $("type").value = s.type;
  }

  async function load() {
    const seq = ++loads;
    closeStream();
    document.body.dataset.state = "loading";
    $("alert").hidden = true;
    let s = readState();
    try {
      await loadBrands(s);
      if (!s.brand) {
        if (brands.length === 0) throw new Error("No brand is registered yet: POST /api/brands registers one.");
        s = { ...s, brand: brands[0] };
        history.replaceState(null, "", urlOf(s));
      }
      fillForm(s);
      const range = { startDate: s.startDate, endDate: s.endDate };
      const params = { ...range, page: s.page, limit: s.limit, sortBy: s.sortBy, sortOrder: s.sortOrder };
      if (s.type !== "all") params.filters = JSON.stringify({ creative_type: s.type });
      const base = "/api/creatives/" + encodeURIComponent(s.brand);
      // The list first: a range's first read queues its sync, once.
      const page = await api("GET", base, params);
      const aggs = await Promise.all(TYPES.map((t) => api("GET", base + "/aggregations", { ...range, creative_type: t })));
      if (seq !== loads) return;
      renderRows(page);
      renderCards(aggs, s);
      renderSummary(page, s);
      follow(page.sync, s, seq);
      document.body.dataset.state = "ready";
    } catch (err) {
      if (seq !== loads) return;
      document.body.dataset.state = "error";
      if (err.status === 401) {
        $("key").hidden = false;
        showAlert("The API needs a key: " + err.message);
      } else {
        showAlert(err.message);
      }
    }
  }

  // ---- controls ----

  document.addEventListener("DOMContentLoaded", () => {
    $("query").addEventListener("submit", (ev) => {
      ev.preventDefault();
      go({ ...readState(), brand: $("brand").value, startDate: $("startDate").value, endDate: $("endDate").value, type: $("type").value, page: 1 });
    });
    $("key").addEventListener("submit", (ev) => {
      ev.preventDefault();
      sessionStorage.setItem(KEY, $("keyInput").value.trim());
      $("keyInput").value = "";
      $("key").hidden = true;
      brands = null;
      load();
    });
    for (const b of document.querySelectorAll("th button[data-sort]")) {
      b.addEventListener("click", () => {
        const s = readState();
        const sortOrder = s.sortBy === b.dataset.sort && s.sortOrder === "desc" ? "asc" : "desc";
        go({ ...s, sortBy: b.dataset.sort, sortOrder, page: 1 });
      });
    }
    $("prev").addEventListener("click", () => go({ ...readState(), page: Math.max(1, readState().page - 1) }));
    $("next").addEventListener("click", () => go({ ...readState(), page: readState().page + 1 }));
    window.addEventListener("popstate", load);
    load();
  });
})();
