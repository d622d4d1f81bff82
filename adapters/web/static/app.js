// The curation page of ScraperSky: a thin client of the JSON API under
// /api/v3. Everything the API returns is put into the page with textContent
// and DOM methods, never as markup, so a hostile domain name or email cannot
// inject anything. The bearer token lives in sessionStorage (this tab only)
// and travels only in the Authorization header, never in a URL.

const TOKEN_KEY = 'scrapersky.token';
const LIVE_INTERVAL_MS = 3000;
const SEARCH_DEBOUNCE_MS = 300;
const CONTACTS_PAGE_SIZE = 50;
const MAX_SUBMIT = 1000;
// MAX_PUT_IDS is the API's limit of IDs in one status update.
const MAX_PUT_IDS = 10000;

const CURATION = ['New', 'Selected', 'Maybe', 'Not a Fit', 'Archived'];
const TASK = ['Queued', 'InProgress', 'Completed', 'Error', 'Cancelled'];
const ANALYSIS = ['Queued', 'Processing', 'Completed', 'Error', 'Cancelled'];
const STATUS_SETS = { curation: CURATION, task: TASK, analysis: ANALYSIS };
const LABELS = { InProgress: 'In progress' };
const ACTIVE = new Set(['Queued', 'InProgress', 'Processing']);

// SORTS lists the sortable columns with the direction a first click picks:
// text ascending, counts and times newest/largest first.
const SORTS = [
  { key: 'domain', label: 'Domain', desc: false },
  { key: 'email_scan_status', label: 'Email scan', desc: false },
  { key: 'page_scrape_status', label: 'Page scrape', desc: false },
  { key: 'contacts_found', label: 'Contacts', desc: true },
  { key: 'pages_scanned', label: 'Pages', desc: true },
  { key: 'sitemap_curation_status', label: 'Sitemap curation', desc: false },
  { key: 'sitemap_analysis_status', label: 'Sitemap analysis', desc: false },
  { key: 'updated_at', label: 'Updated', desc: true },
  { key: 'created_at', label: 'Added', desc: true },
];

const state = {
  page: 1,
  size: 20,
  sortBy: 'updated_at',
  sortDesc: true,
  search: '',
  filters: {},
  items: [],
  total: 0,
  pages: 0,
  selected: new Set(),
  loadSeq: 0,
  loadFailed: false,
  everLoaded: false,
  signingIn: false,
  liveTimer: 0,
  searchTimer: 0,
  detail: null, // { id, domain, contactsPage, opener }
  stats: null, // the last GET /api/v3/domains/stats, or null
  statsSeq: 0,
  scrapeStatus: new Map(), // domain ID → page_scrape_status last seen
  collecting: false, // gathering the IDs of every matching domain
  urlDomain: '', // the domain the URL asks to open, until it is opened
  contacts: { q: '', type: '', page: 1, seq: 0, timer: 0, loaded: false },
};

const $ = (id) => document.getElementById(id);

// ---- DOM helpers ----------------------------------------------------------

// h builds an element. attrs: "class", "text", "dataset" or any attribute
// name; children: nodes or strings (as text). Nothing is parsed as HTML.
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

function statusLabel(s) {
  return LABELS[s] || s;
}

// setBadge shows a status (or a dash for none); the error, when there is
// one, is the badge's tooltip.
function setBadge(el, status, error) {
  const s = status || 'none';
  if (el.dataset.status !== s) el.dataset.status = s;
  setText(el, status ? statusLabel(status) : '—');
  const title = error ? `Error: ${error}` : '';
  if ((el.getAttribute('title') || '') !== title) {
    if (title) el.setAttribute('title', title);
    else el.removeAttribute('title');
  }
}

function badge(field, status, error) {
  const el = h('span', { class: 'badge', dataset: { field } });
  setBadge(el, status, error);
  return el;
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function formatTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateFormat.format(d);
}

// formatAgo words a recent time relative to now ("5 min ago") and an older
// one as a date; the exact time is the element's title.
function formatAgo(iso) {
  const d = new Date(iso);
  const secs = (Date.now() - d.getTime()) / 1000;
  if (Number.isNaN(secs)) return iso;
  if (secs < 45) return 'just now';
  if (secs < 3600) return `${Math.round(secs / 60)} min ago`;
  if (secs < 86400) return `${Math.round(secs / 3600)} h ago`;
  if (secs < 7 * 86400) return `${Math.round(secs / 86400)} d ago`;
  return shortDate.format(d);
}

const shortDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

function timeEl(iso, relative = false) {
  if (!iso) return document.createTextNode('—');
  return h('time', { datetime: iso, title: formatTime(iso), text: relative ? formatAgo(iso) : formatTime(iso) });
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

// ---- API ------------------------------------------------------------------

class APIError extends Error {
  constructor(status, detail, body) {
    super(detail);
    this.status = status;
    this.detail = detail;
    this.body = body;
  }
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

// api sends one request with the bearer token. A 401 signs the user out
// (and is still thrown, so callers stop); any other failure becomes an
// APIError carrying the API's "detail".
async function api(method, path, { json, form, accept = 'application/json' } = {}) {
  const headers = { Authorization: `Bearer ${token()}`, Accept: accept };
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (form) {
    body = form;
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body, cache: 'no-store', credentials: 'omit' });
  } catch (err) {
    throw new APIError(0, `the server cannot be reached (${err.message})`);
  }
  if (res.ok) return res;
  let data = null;
  let detail = `${res.status} ${res.statusText}`.trim();
  try {
    data = await res.json();
    if (data && typeof data.detail === 'string') detail = data.detail;
  } catch {
    // Not JSON: keep the status line.
  }
  const err = new APIError(res.status, detail, data);
  if (res.status === 401) signOut(`${state.signingIn ? 'Sign-in failed' : 'Signed out'}: ${detail}`);
  throw err;
}

async function apiJSON(method, path, opts) {
  const res = await api(method, path, opts);
  return res.json();
}

// report shows an API failure in the error banner, except a 401, which has
// already sent the user back to sign-in.
function report(what, err) {
  if (err instanceof APIError && err.status === 401) return;
  console.warn(what, err);
  showError(`${what}: ${err instanceof APIError ? err.detail : err.message}`);
}

function showError(text) {
  const el = $('error');
  el.textContent = text;
  el.classList.toggle('shown', text !== '');
}

function notice(text) {
  // Clearing first makes screen readers announce a repeated message too.
  const el = $('notice');
  el.textContent = '';
  el.classList.toggle('shown', text !== '');
  requestAnimationFrame(() => { el.textContent = text; });
}

// ---- sign-in --------------------------------------------------------------

async function loadConfig() {
  try {
    const res = await fetch('/ui/config.json', { cache: 'no-store' });
    if (!res.ok) return;
    const cfg = await res.json();
    if (typeof cfg.dev_token === 'string' && cfg.dev_token !== '') {
      $('dev-token').textContent = cfg.dev_token;
      $('dev-hint').hidden = false;
      $('use-dev-token').onclick = () => {
        $('token-input').value = cfg.dev_token;
        $('token-input').focus();
      };
    }
  } catch (err) {
    console.warn('ui config unavailable', err);
  }
}

function showSignIn(message) {
  stopLive();
  if ($('detail').open) $('detail').close();
  $('app-view').hidden = true;
  $('session').hidden = true;
  $('signin-view').hidden = false;
  $('signin-error').textContent = message || '';
  $('token-input').value = '';
  $('token-input').focus();
}

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.selected.clear();
  state.items = [];
  rowCache.clear();
  $('domains-body').replaceChildren();
  showSignIn(message);
}

function showApp() {
  $('signin-view').hidden = true;
  $('app-view').hidden = false;
  $('session').hidden = false;
}

async function signIn(ev) {
  ev.preventDefault();
  const t = $('token-input').value.trim();
  if (t === '') {
    $('signin-error').textContent = 'Enter a bearer token.';
    $('token-input').focus();
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, t);
  $('signin-error').textContent = '';
  showError('');
  showApp();
  state.signingIn = true;
  try {
    if (await loadDomains()) {
      $('main').focus({ preventScroll: true });
      openFromURL();
      await loadAllContactsIfOpen();
      await loadSuppressions();
    }
  } finally {
    state.signingIn = false;
  }
}

// ---- domains table --------------------------------------------------------

function domainsQuery() {
  const q = new URLSearchParams({
    page: String(state.page),
    size: String(state.size),
    sort_by: state.sortBy,
    sort_desc: String(state.sortDesc),
  });
  for (const [k, v] of Object.entries(state.filters)) if (v) q.set(k, v);
  if (state.search) q.set('domain_filter', state.search);
  return q;
}

// loadDomains fetches the current page; a response that arrives after a
// newer request was sent is dropped. It returns whether the rows shown are
// this request's.
async function loadDomains() {
  const seq = ++state.loadSeq;
  stopLive();
  $('domains-table').setAttribute('aria-busy', 'true');
  try {
    const data = await apiJSON('GET', `/api/v3/domains?${domainsQuery()}`);
    if (seq !== state.loadSeq) return false;
    if (data.pages > 0 && state.page > data.pages) {
      state.page = data.pages;
      return loadDomains();
    }
    if (state.loadFailed) {
      state.loadFailed = false;
      showError('');
    }
    state.items = Array.isArray(data.items) ? data.items : [];
    state.total = data.total || 0;
    state.pages = data.pages || 0;
    rememberStatuses(state.items);
    renderDomains();
    syncURL();
    await loadStats();
    if (seq !== state.loadSeq) return false;
    scheduleLive();
    if (!state.everLoaded) {
      // A first visit to an empty list starts with the add form open.
      state.everLoaded = true;
      if (state.total === 0 && !filtersActive()) $('add-panel').open = true;
    }
    return true;
  } catch (err) {
    if (seq === state.loadSeq) {
      report('Could not load the domains', err);
      state.loadFailed = true;
      // Keep refreshing through a passing outage, unless signed out.
      if (!(err instanceof APIError && err.status === 401)) scheduleLive();
    }
    return false;
  } finally {
    if (seq === state.loadSeq) $('domains-table').setAttribute('aria-busy', 'false');
  }
}

function isActive(d) {
  return ACTIVE.has(d.page_scrape_status) || ACTIVE.has(d.sitemap_analysis_status);
}

// rowCache keeps one <tr> per domain ID, so a live refresh updates cells in
// place and never destroys the checkbox or button that has the focus.
const rowCache = new Map();

function createRow(id) {
  const check = h('input', { type: 'checkbox', 'data-testid': 'row-select' });
  check.addEventListener('change', () => {
    if (check.checked) state.selected.add(id);
    else state.selected.delete(id);
    renderSelection();
  });
  const name = h('button', { type: 'button', class: 'link domain-name', 'data-testid': 'open-detail' });
  name.addEventListener('click', () => openDetail(id, name));
  const rowError = h('span', { class: 'row-error', hidden: true, 'data-testid': 'row-error' });
  const r = {
    tr: h('tr', { 'data-testid': 'domain-row', dataset: { id } }),
    check,
    name,
    rowError,
    email: badge('email_scan_status'),
    scrape: badge('page_scrape_status'),
    contacts: h('td', { class: 'num', 'data-label': 'Contacts', 'data-testid': 'contacts-found' }),
    pages: h('td', { class: 'num', 'data-label': 'Pages' }),
    curation: badge('sitemap_curation_status'),
    analysis: badge('sitemap_analysis_status'),
    updated: h('td', { 'data-label': 'Updated', class: 'when' }),
  };
  r.tr.append(
    h('td', { class: 'check' }, check),
    h('th', { scope: 'row', class: 'domain-cell' }, name, rowError),
    h('td', { 'data-label': 'Email scan' }, r.email),
    h('td', { 'data-label': 'Page scrape' }, r.scrape),
    r.contacts,
    r.pages,
    h('td', { 'data-label': 'Sitemap curation' }, r.curation),
    h('td', { 'data-label': 'Sitemap analysis' }, r.analysis),
    r.updated,
  );
  return r;
}

// displayHost shows an internationalised host name (stored with A-labels,
// xn--…) in Unicode. Display only: the API keeps and receives the A-labels.
function displayHost(host) {
  return String(host).split('.').map((label) => {
    if (!/^xn--/i.test(label)) return label;
    const u = punycodeDecode(label.slice(4).toLowerCase());
    return u === null ? label : u;
  }).join('.');
}

// punycodeDecode is RFC 3492's decoder; null for input that is not
// Punycode.
function punycodeDecode(input) {
  const base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700;
  const b = input.lastIndexOf('-');
  const out = b > 0 ? [...input.slice(0, b)].map((c) => c.codePointAt(0)) : [];
  if (out.some((c) => c >= 0x80)) return null;
  let n = 128, i = 0, bias = 72;
  const adapt = (delta, numPoints, first) => {
    delta = first ? Math.floor(delta / damp) : delta >> 1;
    delta += Math.floor(delta / numPoints);
    let k = 0;
    for (; delta > ((base - tMin) * tMax) >> 1; k += base) delta = Math.floor(delta / (base - tMin));
    return k + Math.floor(((base - tMin + 1) * delta) / (delta + skew));
  };
  for (let pos = b > 0 ? b + 1 : 0; pos < input.length;) {
    const oldi = i;
    for (let w = 1, k = base; ; k += base) {
      if (pos >= input.length) return null;
      const c = input.charCodeAt(pos++);
      const digit = c >= 48 && c <= 57 ? c - 22 : c >= 97 && c <= 122 ? c - 97 : base;
      if (digit >= base) return null;
      i += digit * w;
      const t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias;
      if (digit < t) break;
      w *= base - t;
      if (i > 0x10ffff * 4) return null;
    }
    bias = adapt(i - oldi, out.length + 1, oldi === 0);
    n += Math.floor(i / (out.length + 1));
    i %= out.length + 1;
    if (n > 0x10ffff) return null;
    out.splice(i++, 0, n);
  }
  return String.fromCodePoint(...out);
}

function updateRow(r, d) {
  r.tr.dataset.domain = d.domain;
  r.tr.classList.toggle('active', isActive(d));
  setText(r.name, displayHost(d.domain));
  r.name.title = displayHost(d.domain) !== d.domain ? d.domain : '';
  r.check.setAttribute('aria-label', `Select ${d.domain}`);
  r.check.checked = state.selected.has(d.id);
  r.tr.classList.toggle('selected', r.check.checked);
  const err = d.page_scrape_error || '';
  setText(r.rowError, err);
  r.rowError.hidden = err === '';
  if (err) r.rowError.setAttribute('title', err);
  setBadge(r.email, d.email_scan_status);
  setBadge(r.scrape, d.page_scrape_status, d.page_scrape_error);
  setBadge(r.curation, d.sitemap_curation_status);
  setBadge(r.analysis, d.sitemap_analysis_status, d.sitemap_analysis_error);
  const scanned = d.page_scrape_status === 'Completed' || d.page_scrape_status === 'InProgress' || d.pages_scanned > 0 || d.contacts_found > 0;
  setText(r.contacts, scanned ? String(d.contacts_found) : '—');
  setText(r.pages, scanned ? String(d.pages_scanned) : '—');
  markRowPrevious(r, d, scanned);
  const ago = formatAgo(d.updated_at);
  if (r.updated.dataset.at !== d.updated_at || r.updated.textContent !== ago) {
    r.updated.dataset.at = d.updated_at;
    r.updated.replaceChildren(timeEl(d.updated_at, true));
  }
}

function renderDomains() {
  const body = $('domains-body');
  const seen = new Set();
  const trs = state.items.map((d) => {
    seen.add(d.id);
    let r = rowCache.get(d.id);
    if (!r) {
      r = createRow(d.id);
      rowCache.set(d.id, r);
    }
    updateRow(r, d);
    return r.tr;
  });
  for (const id of [...rowCache.keys()]) if (!seen.has(id)) rowCache.delete(id);
  const same = trs.length === body.children.length && trs.every((tr, i) => body.children[i] === tr);
  if (!same) {
    const focused = document.activeElement;
    body.replaceChildren(...trs);
    if (focused && focused !== document.activeElement && focused.isConnected) focused.focus({ preventScroll: true });
  }
  $('domains-empty').hidden = state.items.length > 0;
  setText($('domains-empty'), filtersActive() ? 'No domains match these filters.' : 'No domains yet: add some above.');
  if (state.pages === 0) setText($('page-info'), 'No domains');
  else setText($('page-info'), `Page ${state.page} of ${state.pages} · ${plural(state.total, 'domain', 'domains')}`);
  $('prev-page').disabled = state.page <= 1;
  $('next-page').disabled = state.page >= state.pages;
  renderSort();
  renderSelection();
  $('live-indicator').hidden = !state.items.some(isActive);
}

function renderSort() {
  for (const th of document.querySelectorAll('#domains-table th[data-sort]')) {
    if (th.dataset.sort === state.sortBy) th.setAttribute('aria-sort', state.sortDesc ? 'descending' : 'ascending');
    else th.removeAttribute('aria-sort');
  }
  $('sort-select').value = `${state.sortBy}:${state.sortDesc ? 'desc' : 'asc'}`;
}

function renderSelection() {
  const n = state.selected.size;
  const onPage = state.items.filter((d) => state.selected.has(d.id)).length;
  let text = `${n} selected`;
  if (n > onPage) text += ` (${n - onPage} not shown)`;
  setText($('selected-count'), text);
  $('clear-selection').hidden = n === 0;
  $('email-scan-apply').disabled = n === 0;
  $('sitemap-curation-apply').disabled = n === 0;
  const all = $('select-all');
  all.checked = state.items.length > 0 && onPage === state.items.length;
  all.indeterminate = onPage > 0 && onPage < state.items.length;
  for (const d of state.items) {
    const r = rowCache.get(d.id);
    if (!r) continue;
    r.check.checked = state.selected.has(d.id);
    r.tr.classList.toggle('selected', r.check.checked);
  }
  renderSelectMatching();
}

// ---- live refresh ---------------------------------------------------------

function stopLive() {
  clearTimeout(state.liveTimer);
  state.liveTimer = 0;
}

// scheduleLive refreshes the rows (and the open detail) in a few seconds
// while anything visible is still queued or running.
function scheduleLive() {
  stopLive();
  const detailActive = state.detail && state.detail.domain && isActive(state.detail.domain);
  if (!state.items.some(isActive) && !detailActive && !statsActive()) return;
  state.liveTimer = setTimeout(async () => {
    state.liveTimer = 0;
    if (state.detail) await loadDetail(false);
    await loadDomains();
  }, LIVE_INTERVAL_MS);
}

// ---- batch actions --------------------------------------------------------

const ACTIONS = {
  email: {
    select: 'email-scan-status',
    path: '/api/v3/domains/email-scan/status',
    field: 'email_scan_status',
    message: (r) => countsMessage(r.updated_count, r.queued_for_scan_count, 'queued for scan', r.cancelled_count, r.not_found_ids),
  },
  sitemap: {
    select: 'sitemap-curation-status',
    path: '/api/v3/domains/sitemap-curation/status',
    field: 'sitemap_curation_status',
    message: (r) => countsMessage(r.updated_count, r.queued_count, 'queued for analysis', r.cancelled_count, r.not_found_ids),
  },
};

// countsMessage words an update's answer: "3 updated, 2 queued for scan,
// 1 cancelled, 1 not found"; the cancelled part only when some queued or
// running work was cancelled, the last only when some IDs were not found.
function countsMessage(updated, queued, queuedWhat, cancelled, notFound) {
  const parts = [`${updated} updated`, `${queued} ${queuedWhat}`];
  if (cancelled > 0) parts.push(`${cancelled} cancelled`);
  const missing = Array.isArray(notFound) ? notFound.length : 0;
  if (missing > 0) parts.push(`${missing} not found`);
  return parts.join(', ');
}

async function apply(kind, button) {
  const a = ACTIONS[kind];
  const status = $(a.select).value;
  showError('');
  if (!status) {
    showError('Choose a status to apply first.');
    $(a.select).focus();
    return;
  }
  if (state.selected.size === 0) {
    showError('Select at least one domain first.');
    return;
  }
  const ids = [...state.selected];
  if (kind === 'email' && status === 'Selected' && !(await confirmRescan(ids))) {
    notice('Nothing changed.');
    return;
  }
  button.disabled = true;
  try {
    const res = await putInBatches(a, ids, status);
    notice(a.message(res));
    // Domains that no longer exist cannot stay selected.
    for (const id of res.not_found_ids || []) state.selected.delete(id);
    await loadDomains();
  } catch (err) {
    report('Could not update the status', err);
  } finally {
    renderSelection();
  }
}

// ---- adding domains -------------------------------------------------------

// parseDomains splits a paste into entries: one per line or comma
// separated. An entry with a space inside stays whole, so the API's report
// names it as it was typed.
function parseDomains(text) {
  return text.split(/[\r\n,]+/).map((s) => s.trim()).filter((s) => s !== '');
}

function rejectedList(rejected) {
  if (!Array.isArray(rejected) || rejected.length === 0) return null;
  return h('ul', { class: 'rejected', 'data-testid': 'rejected' },
    ...rejected.map((r) => h('li', {},
      r.row ? `Row ${r.row}: ` : '',
      h('code', { text: r.input ?? '' }),
      ` — ${r.reason ?? 'rejected'}`)));
}

function showReport(title, ...parts) {
  $('add-report').replaceChildren(h('p', { class: 'report-title', text: title }), ...parts.filter(Boolean));
}

async function pasteSubmit(ev) {
  ev.preventDefault();
  showError('');
  const domains = parseDomains($('paste-input').value);
  if (domains.length === 0) {
    showReport('Nothing to add: paste at least one domain.');
    $('paste-input').focus();
    return;
  }
  if (domains.length > MAX_SUBMIT) {
    showReport(`${domains.length} domains pasted; at most ${MAX_SUBMIT} can be added at once.`);
    return;
  }
  const button = ev.submitter || $('paste-form').querySelector('button');
  button.disabled = true;
  try {
    const res = await apiJSON('POST', '/api/v3/domains/direct-submit', { json: { domains } });
    showReport(`${plural(res.submitted_count, 'domain', 'domains')} added: ${(res.normalized_domains || []).join(', ')}`);
    $('paste-input').value = '';
    await loadDomains();
  } catch (err) {
    if (err instanceof APIError && err.status === 422) {
      showReport(`Nothing was added: ${err.detail}`, rejectedList(err.body && err.body.rejected));
    } else {
      report('Could not add the domains', err);
    }
  } finally {
    button.disabled = false;
  }
}

async function importSubmit(ev) {
  ev.preventDefault();
  showError('');
  const file = $('import-file').files[0];
  if (!file) {
    showReport('Choose a CSV file to import first.');
    $('import-file').focus();
    return;
  }
  const form = new FormData();
  form.append('file', file, file.name);
  const button = ev.submitter || $('import-form').querySelector('button');
  button.disabled = true;
  try {
    const res = await apiJSON('POST', '/api/v3/domains/import', { form });
    const rejected = Array.isArray(res.rejected) ? res.rejected : [];
    showReport(`${file.name}: ${res.created} created, ${res.existing} existing, ${rejected.length} rejected`, rejectedList(rejected));
    $('import-form').reset();
    await loadDomains();
  } catch (err) {
    if (err instanceof APIError && err.status === 422) {
      showReport(`${file.name}: nothing imported: ${err.detail}`, rejectedList(err.body && err.body.rejected));
    } else {
      report('Could not import the file', err);
    }
  } finally {
    button.disabled = false;
  }
}

// ---- detail dialog --------------------------------------------------------

function openDetail(id, opener) {
  state.detail = { id, domain: null, contactsPage: 1, opener };
  // Nothing of the previous domain may show while this one loads.
  setText($('detail-title'), rowCache.get(id)?.name.textContent || 'Domain');
  $('detail-progress').replaceChildren();
  $('detail-sitemap').replaceChildren();
  $('contacts-body').replaceChildren();
  $('scans-body').replaceChildren();
  for (const el of ['detail-scan-error', 'detail-sitemap-error', 'contacts-empty', 'contacts-pager', 'scans-empty']) $(el).hidden = true;
  $('contacts-total').textContent = '';
  $('download-csv').disabled = true;
  $('detail-error').textContent = '';
  $('sitemaps-body').replaceChildren();
  $('sitemaps-wrap').hidden = true;
  $('detail-previous').hidden = true;
  $('detail-page-cap').hidden = true;
  if (!$('detail').open) $('detail').showModal();
  $('detail-close').focus();
  syncURL();
  loadDetail(true);
}

function fact(label, value, testid) {
  return h('div', { 'data-testid': testid }, h('dt', { text: label }), h('dd', {}, value));
}

// loadDetail reads the open domain and its current page of contacts.
async function loadDetail(first) {
  const det = state.detail;
  if (!det) return;
  const id = encodeURIComponent(det.id);
  try {
    const [d, contacts, scans, sitemaps] = await Promise.all([
      apiJSON('GET', `/api/v3/domains/${id}`),
      apiJSON('GET', `/api/v3/domains/${id}/contacts?page=${det.contactsPage}&size=${CONTACTS_PAGE_SIZE}`),
      // The history is an extra: a server without it still shows the rest.
      apiJSON('GET', `/api/v3/domains/${id}/scans`).catch(() => null),
      apiJSON('GET', `/api/v3/domains/${id}/sitemaps`).catch(() => null),
    ]);
    if (state.detail !== det) return;
    det.domain = d;
    renderDetail(d, contacts);
    renderScans(scans);
    renderSitemaps(sitemaps, d);
    markPreviousRun(d);
    $('detail-error').textContent = '';
  } catch (err) {
    if (state.detail !== det || (err instanceof APIError && err.status === 401)) return;
    $('detail-error').textContent = `Could not load the domain: ${err instanceof APIError ? err.detail : err.message}`;
  }
  if (first) scheduleLive();
}

function renderDetail(d, contacts) {
  setText($('detail-title'), d.domain);
  $('detail-progress').replaceChildren(...[
    fact('Status', badge('page_scrape_status', d.page_scrape_status, d.page_scrape_error)),
    fact('Curation', badge('email_scan_status', d.email_scan_status)),
    fact('Attempts', String(d.page_scrape_attempts ?? 0), 'fact-attempts'),
    fact('Pages scanned', String(d.pages_scanned ?? 0), 'fact-pages'),
    fact('Contacts found', String(d.contacts_found ?? 0), 'fact-contacts'),
    fact('Started', timeEl(d.page_scrape_started_at)),
    fact('Finished', timeEl(d.page_scrape_finished_at)),
    d.page_scrape_next_attempt_at ? fact('Next attempt', timeEl(d.page_scrape_next_attempt_at), 'fact-next-attempt') : null,
  ].filter(Boolean));
  const cap = $('detail-page-cap');
  cap.hidden = !d.page_cap_reached;
  cap.textContent = d.page_cap_reached
    ? `Stopped at the page cap: ${d.pages_scanned} pages scanned, the site has more.` : '';
  const scanErr = $('detail-scan-error');
  scanErr.hidden = !d.page_scrape_error;
  scanErr.textContent = d.page_scrape_error ? `Error: ${d.page_scrape_error}` : '';
  $('detail-sitemap').replaceChildren(...[
    fact('Curation', badge('sitemap_curation_status', d.sitemap_curation_status)),
    fact('Analysis', badge('sitemap_analysis_status', d.sitemap_analysis_status, d.sitemap_analysis_error)),
    d.sitemap_analysis_next_attempt_at ? fact('Next attempt', timeEl(d.sitemap_analysis_next_attempt_at), 'fact-sitemap-next-attempt') : null,
  ].filter(Boolean));
  const mapErr = $('detail-sitemap-error');
  mapErr.hidden = !d.sitemap_analysis_error;
  mapErr.textContent = d.sitemap_analysis_error ? `Error: ${d.sitemap_analysis_error}` : '';

  const items = Array.isArray(contacts.items) ? contacts.items : [];
  $('contacts-body').replaceChildren(...items.map((c) => h('tr', { 'data-testid': 'contact-row' },
    h('td', { class: 'email', 'data-label': 'Email', text: c.email }),
    h('td', { 'data-label': 'Type' }, h('span', { class: 'badge type', dataset: { type: c.email_type }, text: c.email_type }),
      c.has_gmail ? h('span', { class: 'gmail', text: 'Gmail' }) : null),
    h('td', { 'data-label': 'Source page' }, sourceLink(c.source_url, d.domain)),
    contextCell(c.context),
    h('td', { 'data-label': 'First seen' }, timeEl(c.first_seen_at)),
    h('td', { 'data-label': 'Last seen', 'data-testid': 'contact-last-seen' }, timeEl(c.last_seen_at)),
  )));
  $('contacts-empty').hidden = items.length > 0;
  setText($('contacts-empty'), noContactsText(d));
  setText($('contacts-total'), `(${contacts.total ?? items.length})`);
  $('download-csv').disabled = (contacts.total ?? items.length) === 0;
  const pages = contacts.pages || 0;
  $('contacts-pager').hidden = pages <= 1;
  setText($('contacts-page-info'), `Page ${state.detail.contactsPage} of ${pages}`);
  $('contacts-prev').disabled = state.detail.contactsPage <= 1;
  $('contacts-next').disabled = state.detail.contactsPage >= pages;
}

// renderScans lists the open domain's past and current scan runs, newest
// first: when, how it ended, how long, pages, contacts and how many were new.
function renderScans(scans) {
  const items = scans && Array.isArray(scans.items) ? scans.items : [];
  $('scans-body').replaceChildren(...items.map((r) => h('tr', { 'data-testid': 'scan-row' },
    h('td', { 'data-label': 'Started' }, timeEl(r.started_at)),
    h('td', { 'data-label': 'Outcome', title: r.error || '', text: r.error && r.error !== r.outcome ? `${r.outcome}: ${r.error}` : r.outcome }),
    h('td', { class: 'num', 'data-label': 'Duration', text: r.duration_ms == null ? '—' : `${(r.duration_ms / 1000).toFixed(1)} s` }),
    h('td', { class: 'num', 'data-label': 'Pages', 'data-testid': 'scan-pages', title: r.page_cap_reached ? 'Stopped at the page cap' : '',
      text: r.page_cap_reached ? `${r.pages_scanned} (cap)` : String(r.pages_scanned) }),
    h('td', { class: 'num', 'data-label': 'Contacts (new)', text: `${r.contacts_found} (+${r.new_contacts})` }),
  )));
  $('scans-empty').hidden = items.length > 0;
}

// sourceLink links http(s) pages only: a javascript: or data: URL from a
// crawled site must never become a clickable link.
function sourceLink(raw, domain) {
  let u;
  try {
    u = new URL(raw);
  } catch {
    return document.createTextNode(raw || '—');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return document.createTextNode(raw);
  const text = u.host === domain ? `${u.pathname}${u.search}` : `${u.host}${u.pathname}${u.search}`;
  return h('a', { href: u.href, target: '_blank', rel: 'noopener noreferrer', title: u.href, text });
}

function closedDetail() {
  // The close event is queued: when the dialog was opened again before it
  // arrived, it belongs to the previous domain and changes nothing.
  if ($('detail').open) return;
  const det = state.detail;
  state.detail = null;
  if (!det) return;
  syncURL();
  // The opener may have been replaced by a refresh: find the row's button.
  const target = det.opener && det.opener.isConnected ? det.opener : rowCache.get(det.id)?.name;
  if (target) target.focus();
  scheduleLive();
}

async function downloadCSV(button) {
  const det = state.detail;
  if (!det) return;
  button.disabled = true;
  try {
    const name = (det.domain?.domain || 'domain').replace(/[^a-z0-9.-]+/gi, '_');
    await downloadBlob(`/api/v3/contacts.csv?domain_id=${encodeURIComponent(det.id)}`, `${name}-contacts.csv`);
  } catch (err) {
    if (!(err instanceof APIError && err.status === 401)) {
      $('detail-error').textContent = `Could not download the CSV: ${err instanceof APIError ? err.detail : err.message}`;
    }
  } finally {
    button.disabled = false;
  }
}

// ---- filters, sorting, paging ---------------------------------------------

function fillStatusSelect(sel) {
  const kind = sel.dataset.kind;
  if (kind === 'curation-choice') {
    sel.append(h('option', { value: '', text: 'Choose…' }), ...CURATION.map((s) => h('option', { value: s, text: s })));
    return;
  }
  sel.append(h('option', { value: '', text: 'Any' }), ...STATUS_SETS[kind].map((s) => h('option', { value: s, text: statusLabel(s) })));
  // The processing statuses are empty until a domain is first queued.
  if (kind !== 'curation') sel.append(h('option', { value: 'null', text: 'Not started' }));
}

function fillSortSelect(sel) {
  for (const s of SORTS) {
    for (const desc of [s.desc, !s.desc]) {
      const dir = s.key === 'domain' || s.key.endsWith('_status')
        ? (desc ? 'Z → A' : 'A → Z')
        : (desc ? (s.key.endsWith('_at') ? 'newest first' : 'most first') : (s.key.endsWith('_at') ? 'oldest first' : 'fewest first'));
      const opt = h('option', { value: `${s.key}:${desc ? 'desc' : 'asc'}`, text: `${s.label}, ${dir}` });
      if (s.key === 'updated_at' && desc) opt.defaultSelected = true;
      sel.append(opt);
    }
  }
}

function readFilters() {
  state.search = $('filter-domain').value.trim();
  state.filters = {};
  for (const sel of document.querySelectorAll('#filters select[data-param]')) state.filters[sel.dataset.param] = sel.value;
  state.size = Number($('page-size').value) || 20;
  const active = Object.values(state.filters).filter(Boolean).length + (state.search ? 1 : 0);
  setText($('filters-active'), active ? `(${active} active)` : '');
}

function filtersActive() {
  return state.search !== '' || Object.values(state.filters).some(Boolean);
}

function filtersChanged() {
  clearTimeout(state.searchTimer);
  readFilters();
  state.page = 1;
  loadDomains();
}

function sortBy(key, desc) {
  state.sortBy = key;
  state.sortDesc = desc;
  state.page = 1;
  loadDomains();
}

function headerSort(th) {
  const key = th.dataset.sort;
  const def = SORTS.find((s) => s.key === key);
  sortBy(key, key === state.sortBy ? !state.sortDesc : def.desc);
}

// ---- overview: counts per status ------------------------------------------

// STAT_GROUPS are the status columns of GET /api/v3/domains/stats, each a
// filter of the list; "null" is the filter for never queued.
const STAT_GROUPS = [
  { param: 'email_scan_status', label: 'Email scan', values: CURATION },
  { param: 'page_scrape_status', label: 'Page scrape', values: [...TASK, 'null'] },
  { param: 'sitemap_curation_status', label: 'Sitemap curation', values: CURATION },
  { param: 'sitemap_analysis_status', label: 'Sitemap analysis', values: [...ANALYSIS, 'null'] },
];

function statLabel(value) {
  return value === 'null' ? 'Not started' : statusLabel(value);
}

// statsActive tells whether the last counts had work queued or running.
function statsActive() {
  const st = state.stats;
  if (!st) return false;
  const p = st.page_scrape_status || {};
  const a = st.sitemap_analysis_status || {};
  return (p.Queued || 0) + (p.InProgress || 0) + (a.Queued || 0) + (a.Processing || 0) > 0;
}

// loadStats refreshes the overview. It is an extra: when the API has no
// counts the panel stays hidden and the page works on without it.
async function loadStats() {
  const seq = ++state.statsSeq;
  try {
    const st = await apiJSON('GET', '/api/v3/domains/stats');
    if (seq !== state.statsSeq) return;
    state.stats = st;
    renderStats();
  } catch (err) {
    if (seq !== state.statsSeq) return;
    state.stats = null;
    $('stats-panel').hidden = true;
    if (!(err instanceof APIError && err.status === 401)) console.warn('counts unavailable', err);
  }
}

// progressOf words one workflow's progress: finished of all ever queued,
// and what is waiting and running now.
function progressOf(el, label, counts, running, finished, what) {
  const queued = counts.Queued || 0;
  const run = counts[running] || 0;
  const done = finished.reduce((n, k) => n + (counts[k] || 0), 0);
  const all = queued + run + done;
  el.max = Math.max(all, 1);
  el.value = done;
  setText(label, all === 0
    ? `${what}: none queued yet`
    : `${what}: ${done} of ${all} finished · ${queued} queued · ${run} running`);
}

function renderStats() {
  const st = state.stats;
  $('stats-panel').hidden = false;
  setText($('stats-total'), `(${plural(st.total, 'domain', 'domains')})`);
  progressOf($('progress-scan'), $('progress-scan-label'), st.page_scrape_status || {}, 'InProgress', ['Completed', 'Error', 'Cancelled'], 'Email scans');
  progressOf($('progress-sitemap'), $('progress-sitemap-label'), st.sitemap_analysis_status || {}, 'Processing', ['Completed', 'Error', 'Cancelled'], 'Sitemap analyses');
  const groups = STAT_GROUPS.map((g) => {
    const counts = st[g.param] || {};
    const buttons = g.values.map((v) => {
      const pressed = state.filters[g.param] === v;
      const b = h('button', {
        type: 'button',
        class: 'stat',
        'aria-pressed': String(pressed),
        dataset: { testid: 'stat', param: g.param, value: v, status: v === 'null' ? 'none' : v },
      }, h('span', { class: 'stat-label', text: statLabel(v) }), h('span', { class: 'stat-n', text: String(counts[v] || 0) }));
      b.addEventListener('click', () => filterByCount(g.param, v));
      return h('li', {}, b);
    });
    return h('div', { class: 'stat-group', role: 'group', 'aria-label': g.label },
      h('h3', { text: g.label }), h('ul', {}, ...buttons));
  });
  $('stats-groups').replaceChildren(...groups);
}

// filterByCount shows only the domains a count counted (a second click on
// the same count clears that filter).
function filterByCount(param, value) {
  const sel = document.querySelector(`#filters select[data-param="${param}"]`);
  if (!sel) return;
  sel.value = state.filters[param] === value ? '' : value;
  filtersChanged();
  $('domains-title').scrollIntoView({ block: 'nearest' });
}

// ---- do-not-contact list --------------------------------------------------

async function loadSuppressions() {
  try {
    const data = await apiJSON('GET', '/api/v3/suppressions');
    renderSuppressions(Array.isArray(data.items) ? data.items : []);
  } catch (err) {
    // Like the counts, the list is an extra: without it the panel hides.
    $('suppress-panel').hidden = true;
    if (!(err instanceof APIError && err.status === 401)) console.warn('suppression list unavailable', err);
  }
}

function renderSuppressions(items) {
  $('suppress-panel').hidden = false;
  setText($('suppress-count'), items.length ? `(${items.length})` : '');
  $('suppress-list').replaceChildren(...items.map((e) => {
    const remove = h('button', { type: 'button', class: 'link', text: 'Remove', 'aria-label': `Remove ${e.value}`, dataset: { testid: 'suppress-remove' } });
    remove.addEventListener('click', () => removeSuppression(e.value, remove));
    return h('li', { dataset: { testid: 'suppress-item', value: e.value } },
      h('span', { class: 'suppress-value', text: e.value }),
      h('span', { class: 'count', text: e.kind === 'domain' ? 'whole domain' : 'address' }),
      remove);
  }));
}

async function suppressSubmit(ev) {
  ev.preventDefault();
  const values = parseDomains($('suppress-input').value);
  const out = $('suppress-report');
  if (values.length === 0) {
    out.replaceChildren(h('p', { class: 'report-title', text: 'Type at least one address or domain.' }));
    return;
  }
  const button = ev.submitter || $('suppress-form').querySelector('button');
  button.disabled = true;
  try {
    const res = await apiJSON('POST', '/api/v3/suppressions', { json: { values } });
    out.replaceChildren(h('p', { class: 'report-title', text:
      `${plural(res.added_count, 'entry', 'entries')} added, ${plural(res.contacts_removed, 'stored contact', 'stored contacts')} deleted` }));
    $('suppress-input').value = '';
    await loadSuppressions();
    if (res.contacts_removed > 0) await loadDomains();
  } catch (err) {
    if (err instanceof APIError && err.status === 401) return;
    out.replaceChildren(h('p', { class: 'report-title error', text: `Nothing added: ${err instanceof APIError ? err.detail : err.message}` }));
  } finally {
    button.disabled = false;
  }
}

async function removeSuppression(value, button) {
  button.disabled = true;
  try {
    await apiJSON('DELETE', '/api/v3/suppressions', { json: { values: [value] } });
    notice(`${value} removed from the do-not-contact list`);
    await loadSuppressions();
  } catch (err) {
    button.disabled = false;
    report('Could not remove the entry', err);
  }
}

function wireControl() {
  $('suppress-form').addEventListener('submit', suppressSubmit);
}

// ---- select all matching, batches, re-scan confirmation -------------------

const countFormat = new Intl.NumberFormat('en-US');

function rememberStatuses(items) {
  for (const d of items) state.scrapeStatus.set(d.id, d.page_scrape_status || null);
}

// renderSelectMatching offers to select every domain matching the filters
// once the whole page is selected and more match than the page shows.
function renderSelectMatching() {
  const b = $('select-matching');
  if (state.collecting) return;
  const onPage = state.items.filter((d) => state.selected.has(d.id)).length;
  const offer = state.items.length > 0 && onPage === state.items.length
    && state.total > state.items.length && state.selected.size < state.total;
  b.hidden = !offer;
  if (offer) setText(b, `Select all ${countFormat.format(state.total)} matching`);
}

// selectMatching pages through the listing with the current filters and
// selects every domain it returns.
async function selectMatching() {
  const b = $('select-matching');
  state.collecting = true;
  b.disabled = true;
  const ids = [];
  try {
    const q = domainsQuery();
    q.set('size', '100');
    for (let page = 1, pages = 1; page <= pages; page++) {
      q.set('page', String(page));
      const data = await apiJSON('GET', `/api/v3/domains?${q}`);
      const items = Array.isArray(data.items) ? data.items : [];
      rememberStatuses(items);
      for (const d of items) ids.push(d.id);
      pages = data.pages || 0;
      setText(b, `Selecting… ${countFormat.format(ids.length)} of ${countFormat.format(data.total || 0)}`);
    }
    for (const id of ids) state.selected.add(id);
    notice(`${countFormat.format(ids.length)} matching domains selected`);
  } catch (err) {
    report('Could not select all matching domains', err);
  } finally {
    state.collecting = false;
    b.disabled = false;
    renderSelection();
  }
}

// putInBatches sends one status update in batches the API accepts and adds
// up the answers. A failure after some batches says how many were changed.
async function putInBatches(a, ids, status) {
  const sum = { updated_count: 0, queued_for_scan_count: 0, queued_count: 0, cancelled_count: 0, not_found_ids: [] };
  for (let i = 0; i < ids.length; i += MAX_PUT_IDS) {
    let res;
    try {
      res = await apiJSON('PUT', a.path, { json: { domain_ids: ids.slice(i, i + MAX_PUT_IDS), [a.field]: status } });
    } catch (err) {
      if (i > 0 && err instanceof APIError) err.detail = `${sum.updated_count} of ${ids.length} updated, then: ${err.detail}`;
      throw err;
    }
    sum.updated_count += res.updated_count || 0;
    sum.queued_for_scan_count += res.queued_for_scan_count || 0;
    sum.queued_count += res.queued_count || 0;
    sum.cancelled_count += res.cancelled_count || 0;
    sum.not_found_ids.push(...(res.not_found_ids || []));
  }
  return sum;
}

// confirmRescan asks before selecting domains whose scan completed, since
// that scans them again; it resolves whether to go on.
function confirmRescan(ids) {
  const done = ids.filter((id) => state.scrapeStatus.get(id) === 'Completed').length;
  if (done === 0) return Promise.resolve(true);
  const dialog = $('confirm-rescan');
  setText($('confirm-rescan-text'), `${countFormat.format(done)} of the ${plural(ids.length, 'selected domain', 'selected domains')} ${done === 1 ? 'was' : 'were'} already scanned (Completed). Selecting ${done === 1 ? 'it' : 'them'} scans ${done === 1 ? 'it' : 'them'} again.`);
  dialog.returnValue = '';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'rescan'), { once: true });
    dialog.showModal();
  });
}

// ---- the page's state in the URL ------------------------------------------

// urlState is the hash that restores the view: the filters, the order, the
// page, the open domain and the contacts view; defaults are left out.
function urlState() {
  const p = new URLSearchParams();
  if (state.search) p.set('q', state.search);
  for (const [k, v] of Object.entries(state.filters)) if (v) p.set(k, v);
  if (state.sortBy !== 'updated_at' || !state.sortDesc) p.set('sort', `${state.sortBy}:${state.sortDesc ? 'desc' : 'asc'}`);
  if (state.size !== 20) p.set('size', String(state.size));
  if (state.page > 1) p.set('page', String(state.page));
  const open = state.detail ? state.detail.id : state.urlDomain;
  if (open) p.set('domain', open);
  if ($('all-contacts-panel').open) {
    p.set('contacts', '1');
    if (state.contacts.q) p.set('cq', state.contacts.q);
    if (state.contacts.type) p.set('ctype', state.contacts.type);
    if (state.contacts.page > 1) p.set('cpage', String(state.contacts.page));
  }
  return p.toString();
}

function syncURL() {
  const hash = urlState();
  if (location.hash.slice(1) === hash) return;
  history.replaceState(null, '', `${location.pathname}${location.search}${hash ? `#${hash}` : ''}`);
}

function setSelect(sel, value) {
  sel.value = [...sel.options].some((o) => o.value === value) ? value : sel.options[0].value;
}

function positiveInt(s) {
  const n = Number.parseInt(s || '', 10);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

// restoreFromURL sets the controls and the state from the hash; values the
// page does not know fall back to their defaults.
function restoreFromURL() {
  const p = new URLSearchParams(location.hash.slice(1));
  $('filter-domain').value = p.get('q') || '';
  for (const sel of document.querySelectorAll('#filters select[data-param]')) setSelect(sel, p.get(sel.dataset.param) || '');
  setSelect($('page-size'), p.get('size') || '20');
  readFilters();
  const [key, dir] = (p.get('sort') || '').split(':');
  const known = SORTS.some((s) => s.key === key);
  state.sortBy = known ? key : 'updated_at';
  state.sortDesc = known ? dir !== 'asc' : true;
  renderSort();
  state.page = positiveInt(p.get('page'));
  state.urlDomain = p.get('domain') || '';
  $('all-contacts-q').value = p.get('cq') || '';
  setSelect($('all-contacts-type'), p.get('ctype') || '');
  state.contacts.q = $('all-contacts-q').value.trim();
  state.contacts.type = $('all-contacts-type').value;
  state.contacts.page = positiveInt(p.get('cpage'));
  state.contacts.loaded = false;
  $('all-contacts-panel').open = p.get('contacts') === '1';
}

// openFromURL opens the domain a shared link names, once.
function openFromURL() {
  const id = state.urlDomain;
  state.urlDomain = '';
  if (id && (!state.detail || state.detail.id !== id)) openDetail(id, null);
}

async function urlChanged() {
  if (location.hash.slice(1) === urlState()) return;
  restoreFromURL();
  if (!token()) return;
  if (!state.urlDomain && $('detail').open) $('detail').close();
  if (await loadDomains()) openFromURL();
  await loadAllContactsIfOpen();
}

// ---- contacts across domains ----------------------------------------------

function allContactsQuery() {
  const q = new URLSearchParams();
  if (state.contacts.q) q.set('q', state.contacts.q);
  if (state.contacts.type) q.set('email_type', state.contacts.type);
  return q;
}

async function loadAllContactsIfOpen() {
  if ($('all-contacts-panel').open) await loadAllContacts();
}

async function loadAllContacts() {
  const c = state.contacts;
  const seq = ++c.seq;
  const q = allContactsQuery();
  q.set('page', String(c.page));
  q.set('size', String(CONTACTS_PAGE_SIZE));
  $('all-contacts-table').setAttribute('aria-busy', 'true');
  try {
    const data = await apiJSON('GET', `/api/v3/contacts?${q}`);
    if (seq !== c.seq) return;
    if (data.pages > 0 && c.page > data.pages) {
      c.page = data.pages;
      await loadAllContacts();
      return;
    }
    c.loaded = true;
    setText($('all-contacts-error'), '');
    renderAllContacts(data);
    syncURL();
  } catch (err) {
    if (seq !== c.seq || (err instanceof APIError && err.status === 401)) return;
    setText($('all-contacts-error'), `Could not load the contacts: ${err instanceof APIError ? err.detail : err.message}`);
  } finally {
    if (seq === c.seq) $('all-contacts-table').setAttribute('aria-busy', 'false');
  }
}

function contactHost(c) {
  try {
    return displayHost(new URL(c.source_url).host.replace(/^www\./, ''));
  } catch {
    return 'domain';
  }
}

function contextCell(text) {
  return h('td', { class: 'context', 'data-label': 'Context', 'data-testid': 'contact-context', text: text || '—' });
}

function renderAllContacts(data) {
  const items = Array.isArray(data.items) ? data.items : [];
  $('all-contacts-body').replaceChildren(...items.map((c) => {
    const open = h('button', { type: 'button', class: 'link', 'data-testid': 'all-contact-domain', text: contactHost(c) });
    open.addEventListener('click', () => openDetail(c.domain_id, open));
    return h('tr', { 'data-testid': 'all-contact-row', dataset: { email: c.email } },
      h('td', { class: 'email', 'data-label': 'Email', text: c.email }),
      h('td', { 'data-label': 'Type' }, h('span', { class: 'badge type', dataset: { type: c.email_type }, text: c.email_type })),
      h('td', { 'data-label': 'Domain' }, open),
      contextCell(c.context),
      h('td', { 'data-label': 'Last seen' }, timeEl(c.last_seen_at, true)),
    );
  }));
  const total = data.total ?? items.length;
  setText($('all-contacts-total'), `(${countFormat.format(total)})`);
  const filtered = state.contacts.q !== '' || state.contacts.type !== '';
  $('all-contacts-empty').hidden = items.length > 0;
  setText($('all-contacts-empty'), items.length > 0 ? '' : (filtered ? 'No contacts match these filters.' : 'No contacts stored yet.'));
  $('all-contacts-csv').disabled = total === 0;
  const pages = data.pages || 0;
  $('all-contacts-pager').hidden = pages <= 1;
  setText($('all-contacts-page-info'), `Page ${state.contacts.page} of ${pages}`);
  $('all-contacts-prev').disabled = state.contacts.page <= 1;
  $('all-contacts-next').disabled = state.contacts.page >= pages;
}

function allContactsChanged() {
  clearTimeout(state.contacts.timer);
  state.contacts.q = $('all-contacts-q').value.trim();
  state.contacts.type = $('all-contacts-type').value;
  state.contacts.page = 1;
  loadAllContacts();
}

// downloadBlob fetches a file with the bearer token and saves it: a link
// with the token in its URL would leak it into logs and history.
async function downloadBlob(path, filename) {
  const res = await api('GET', path, { accept: 'text/csv' });
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function downloadAllContacts(button) {
  button.disabled = true;
  try {
    const q = allContactsQuery().toString();
    await downloadBlob(`/api/v3/contacts.csv${q ? `?${q}` : ''}`, 'contacts.csv');
  } catch (err) {
    if (!(err instanceof APIError && err.status === 401)) {
      setText($('all-contacts-error'), `Could not download the CSV: ${err instanceof APIError ? err.detail : err.message}`);
    }
  } finally {
    button.disabled = false;
  }
}

// ---- detail: sitemap files, previous-run figures --------------------------

function renderSitemaps(data, d) {
  const wrap = $('sitemaps-wrap');
  if (!data || !Array.isArray(data.items)) {
    wrap.hidden = true;
    return;
  }
  wrap.hidden = false;
  $('sitemaps-body').replaceChildren(...data.items.map((f) => h('tr', { 'data-testid': 'sitemap-row' },
    h('td', { class: 'email', 'data-label': 'Sitemap file' }, sourceLink(f.url, d.domain),
      f.error ? h('p', { class: 'scan-error', 'data-testid': 'sitemap-file-error', text: `Error: ${f.error}` }) : null),
    h('td', { 'data-label': 'Type', text: f.type || '—' }),
    h('td', { 'data-label': 'Found by', text: f.discovery || '—' }),
    h('td', { class: 'num', 'data-label': 'URLs', text: countFormat.format(f.url_count ?? 0) }),
    h('td', { 'data-label': 'Last modified' }, timeEl(f.last_modified)),
  )));
  $('sitemaps-empty').hidden = data.items.length > 0;
  $('sitemaps-table').hidden = data.items.length === 0;
}

function scanRunning(d) {
  return d.page_scrape_status === 'Queued' || d.page_scrape_status === 'InProgress';
}

// markPreviousRun labels the scan figures: while a scan is queued they are
// the previous run's; while it runs (InProgress) they are this scan's so
// far, advancing every few pages.
function markPreviousRun(d) {
  const note = $('detail-previous');
  const queued = d.page_scrape_status === 'Queued';
  const running = d.page_scrape_status === 'InProgress';
  const had = !!d.page_scrape_finished_at || (d.pages_scanned ?? 0) > 0 || (d.contacts_found ?? 0) > 0;
  note.hidden = !queued && !running;
  if (note.hidden) return;
  let text;
  if (running) {
    text = 'Scanning: the figures below are this scan\'s so far.';
  } else if (had) {
    text = d.page_scrape_next_attempt_at
      ? 'Waiting for the next attempt: the figures and contacts below are from before it.'
      : 'A new scan is queued: the figures and contacts below are from the previous run.';
  } else {
    text = 'The first scan is queued: no figures yet.';
  }
  setText(note, text);
  for (const id of ['fact-pages', 'fact-contacts']) {
    const dd = document.querySelector(`#detail-progress [data-testid=${id}] dd`);
    if (!dd) continue;
    if (running) dd.append(h('span', { class: 'so-far', 'data-testid': 'so-far', text: ' so far' }));
    else if (had) dd.append(h('span', { class: 'previous', 'data-testid': 'previous-run', text: ' (previous run)' }));
    else dd.textContent = '—';
  }
}

// markRowPrevious marks a row's counts as the previous run's while a new
// scan is queued, and as the running scan's so far while it runs.
function markRowPrevious(r, d, scanned) {
  const previous = scanned && d.page_scrape_status === 'Queued';
  const running = d.page_scrape_status === 'InProgress';
  for (const td of [r.contacts, r.pages]) {
    td.classList.toggle('previous', previous);
    td.classList.toggle('so-far', running);
    if (previous) td.title = 'From the previous run; a new scan is queued';
    else if (running) td.title = 'This scan so far; it is still running';
    else td.removeAttribute('title');
  }
  r.pages.classList.toggle('capped', !!d.page_cap_reached && !running && !previous);
  if (d.page_cap_reached && !running && !previous) r.pages.title = 'Stopped at the page cap; the site has more pages';
}

// noContactsText says why the list is empty: "no contacts" only after a
// completed scan.
function noContactsText(d) {
  switch (d.page_scrape_status) {
    case 'Completed': return 'No contacts found.';
    case 'Queued': case 'InProgress': return 'Scanning: no contacts yet.';
    case 'Error': return 'The scan failed before any contact was stored.';
    case 'Cancelled': return 'The scan was cancelled before any contact was stored.';
    default: return 'Not scanned yet.';
  }
}

function wireCuration() {
  $('select-matching').addEventListener('click', selectMatching);
  const panel = $('all-contacts-panel');
  panel.addEventListener('toggle', () => {
    syncURL();
    if (panel.open && !state.contacts.loaded && token()) loadAllContacts();
  });
  const form = $('all-contacts-filters');
  form.addEventListener('submit', (ev) => { ev.preventDefault(); allContactsChanged(); });
  $('all-contacts-type').addEventListener('change', allContactsChanged);
  $('all-contacts-q').addEventListener('input', () => {
    clearTimeout(state.contacts.timer);
    state.contacts.timer = setTimeout(allContactsChanged, SEARCH_DEBOUNCE_MS);
  });
  $('all-contacts-csv').addEventListener('click', (ev) => downloadAllContacts(ev.currentTarget));
  $('all-contacts-prev').addEventListener('click', () => { state.contacts.page -= 1; loadAllContacts(); });
  $('all-contacts-next').addEventListener('click', () => { state.contacts.page += 1; loadAllContacts(); });
  window.addEventListener('hashchange', urlChanged);
}

// ---- wiring ---------------------------------------------------------------

function wire() {
  $('signin-form').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', () => signOut('Signed out.'));

  for (const sel of document.querySelectorAll('select[data-kind]')) fillStatusSelect(sel);
  fillSortSelect($('sort-select'));

  const filters = $('filters');
  filters.addEventListener('submit', (ev) => { ev.preventDefault(); filtersChanged(); });
  filters.addEventListener('change', (ev) => {
    if (ev.target.id === 'sort-select') {
      const [key, dir] = ev.target.value.split(':');
      sortBy(key, dir === 'desc');
    } else if (ev.target.id !== 'filter-domain') {
      filtersChanged();
    }
  });
  filters.addEventListener('reset', () => {
    // The reset event comes before the fields are reset. Clearing the
    // filters keeps the order and the page size.
    setTimeout(() => {
      renderSort();
      $('page-size').value = String(state.size);
      filtersChanged();
    });
  });
  $('filter-domain').addEventListener('input', () => {
    clearTimeout(state.searchTimer);
    state.searchTimer = setTimeout(filtersChanged, SEARCH_DEBOUNCE_MS);
  });

  for (const th of document.querySelectorAll('#domains-table th[data-sort]')) {
    th.querySelector('button').addEventListener('click', () => headerSort(th));
  }
  $('prev-page').addEventListener('click', () => { state.page = Math.max(1, state.page - 1); loadDomains(); });
  $('next-page').addEventListener('click', () => { state.page += 1; loadDomains(); });

  $('select-all').addEventListener('change', (ev) => {
    for (const d of state.items) {
      if (ev.target.checked) state.selected.add(d.id);
      else state.selected.delete(d.id);
    }
    renderSelection();
  });
  $('clear-selection').addEventListener('click', () => {
    state.selected.clear();
    renderSelection();
    $('select-all').focus();
  });
  $('email-scan-apply').addEventListener('click', (ev) => apply('email', ev.currentTarget));
  $('sitemap-curation-apply').addEventListener('click', (ev) => apply('sitemap', ev.currentTarget));

  $('paste-form').addEventListener('submit', pasteSubmit);
  wireControl();
  $('import-form').addEventListener('submit', importSubmit);

  const dialog = $('detail');
  $('detail-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', closedDetail);
  // A click on the backdrop (the dialog element itself, outside its box)
  // closes it, like Escape does.
  dialog.addEventListener('click', (ev) => {
    if (ev.target !== dialog) return;
    const r = dialog.getBoundingClientRect();
    const inside = ev.clientX >= r.left && ev.clientX <= r.right && ev.clientY >= r.top && ev.clientY <= r.bottom;
    if (!inside) dialog.close();
  });
  $('download-csv').addEventListener('click', (ev) => downloadCSV(ev.currentTarget));
  $('contacts-prev').addEventListener('click', () => { state.detail.contactsPage -= 1; loadDetail(false); });
  $('contacts-next').addEventListener('click', () => { state.detail.contactsPage += 1; loadDetail(false); });
  wireCuration();
}

// The filters fold away on narrow screens and are always open on wide ones,
// where their summary is hidden.
function wireNarrow() {
  const narrow = window.matchMedia('(max-width: 760px)');
  const apply = () => { $('filters-panel').open = !narrow.matches; };
  apply();
  narrow.addEventListener('change', apply);
}

async function start() {
  wire();
  wireNarrow();
  readFilters();
  renderSort();
  restoreFromURL();
  await loadConfig();
  if (token()) {
    showApp();
    if (await loadDomains()) openFromURL();
    await loadAllContactsIfOpen();
    await loadSuppressions();
  } else {
    showSignIn('');
  }
}

start();
