// Renders /openapi.json as a readable page. DOM APIs only: no innerHTML.
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const k of kids) e.append(k);
  return e;
};

function resolve(doc, s) {
  if (s && s.$ref) return resolve(doc, s.$ref.replace('#/', '').split('/').reduce((o, k) => o[k], doc));
  return s || {};
}

// example turns a schema into a sample value, refs resolved, depth bounded.
function example(doc, schema, depth = 0) {
  const s = resolve(doc, schema);
  if (depth > 4) return '…';
  if (s.example !== undefined) return s.example;
  if (s.enum) return s.enum[0];
  switch (s.type) {
    case 'object': {
      const out = {};
      for (const [k, v] of Object.entries(s.properties || {})) out[k] = example(doc, v, depth + 1);
      return out;
    }
    case 'array': return [example(doc, s.items, depth + 1)];
    case 'integer': case 'number': return 0;
    case 'boolean': return false;
    case 'string': return s.format === 'uuid' ? '3fa85f64-5717-4562-b3fc-2c963f66afa6' : s.format === 'date-time' ? '2026-01-01T00:00:00Z' : 'string';
    default: return null;
  }
}

function render(doc) {
  document.getElementById('title').textContent = `${doc.info.title} ${doc.info.version}`;
  document.getElementById('intro').textContent = doc.info.description || '';
  const toc = document.getElementById('toc');
  const ops = document.getElementById('ops');
  ops.replaceChildren();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const id = op.operationId || `${method}-${path}`;
      toc.append(el('li', {}, el('a', { href: `#${id}` }, `${method.toUpperCase()} ${path}`)));
      const sec = el('section', { class: 'op', id });
      sec.append(el('h2', {}, el('span', { class: `method ${method.toUpperCase()}` }, method.toUpperCase()), ' ', el('code', {}, path)));
      if (op.summary) sec.append(el('p', {}, el('strong', {}, op.summary)));
      if (op.description) sec.append(el('p', {}, op.description));
      sec.append(el('p', {}, (op.security && op.security.length) ? 'Needs Authorization: Bearer <token>.' : 'No authentication.'));
      const params = (op.parameters || []).map(p => resolve(doc, p));
      if (params.length) {
        const t = el('table', {}, el('tr', {}, el('th', {}, 'parameter'), el('th', {}, 'in'), el('th', {}, 'description')));
        for (const p of params) t.append(el('tr', {}, el('td', {}, el('code', {}, p.name)), el('td', {}, p.in), el('td', {}, p.description || '')));
        sec.append(t);
      }
      const body = op.requestBody && resolve(doc, op.requestBody);
      if (body && body.content) {
        for (const [type, media] of Object.entries(body.content)) {
          sec.append(el('h3', {}, `Request body (${type})`));
          sec.append(el('pre', {}, JSON.stringify(example(doc, media.schema), null, 2)));
        }
      }
      sec.append(el('h3', {}, 'Responses'));
      const rt = el('table', {}, el('tr', {}, el('th', {}, 'status'), el('th', {}, 'meaning'), el('th', {}, 'example')));
      for (const [status, r0] of Object.entries(op.responses || {})) {
        const r = resolve(doc, r0);
        const media = r.content && (r.content['application/json'] || Object.values(r.content)[0]);
        const sample = media && media.schema ? JSON.stringify(example(doc, media.schema), null, 1) : '';
        rt.append(el('tr', {}, el('td', {}, status), el('td', {}, r.description || ''), el('td', {}, el('pre', {}, sample))));
      }
      sec.append(rt);
      sec.append(tryForm(doc, method, path, op, params, body));
      ops.append(sec);
    }
  }
}

// The bearer token of the "Try it" forms, kept in this tab only, like the
// curation page's.
const tokenKey = 'scrapersky.docs.token';

function tokenInput() {
  const input = el('input', { id: 'try-token', type: 'password', autocomplete: 'off', spellcheck: 'false', 'data-testid': 'try-token' });
  input.value = sessionStorage.getItem(tokenKey) || '';
  input.addEventListener('input', () => sessionStorage.setItem(tokenKey, input.value));
  return el('p', {}, el('label', { for: 'try-token' }, 'Bearer token for "Try it": '), input);
}

// tryForm is a small request form for one operation: its path and query
// parameters, a body prefilled with the documented example, and the answer
// (status, a few headers, the body) shown below. Requests go to this
// server only.
function tryForm(doc, method, path, op, params, body) {
  const id = op.operationId || `${method}-${path}`;
  const form = el('form', { class: 'try', 'data-op': id });
  const fields = [];
  for (const p of params.filter(p => p.in === 'path' || p.in === 'query')) {
    const fid = `${id}-${p.in}-${p.name}`;
    const input = el('input', { id: fid, name: p.name, 'data-in': p.in, autocomplete: 'off' });
    if (p.required) input.setAttribute('required', '');
    fields.push(input);
    form.append(el('p', {}, el('label', { for: fid }, `${p.name} (${p.in}${p.required ? ', required' : ''})`), ' ', input));
  }
  let bodyArea = null;
  let bodyType = null;
  if (body && body.content) {
    bodyType = body.content['application/json'] ? 'application/json' : (body.content['text/csv'] ? 'text/csv' : null);
    if (bodyType) {
      const sample = bodyType === 'application/json'
        ? JSON.stringify(example(doc, body.content[bodyType].schema), null, 2) : 'domain\nexample.com\n';
      bodyArea = el('textarea', { id: `${id}-body`, rows: '6', spellcheck: 'false' });
      bodyArea.value = sample;
      form.append(el('p', {}, el('label', { for: `${id}-body` }, `Body (${bodyType})`)), bodyArea);
    }
  }
  const out = el('pre', { class: 'try-result', 'aria-live': 'polite', 'data-testid': 'try-result' });
  form.append(el('p', {}, el('button', { type: 'submit' }, `Send ${method.toUpperCase()}`)), out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    let url = path;
    const query = new URLSearchParams();
    for (const f of fields) {
      if (f.dataset.in === 'path') url = url.replace(`{${f.name}}`, encodeURIComponent(f.value));
      else if (f.value !== '') query.set(f.name, f.value);
    }
    if ([...query].length) url += `?${query}`;
    const headers = {};
    const token = document.getElementById('try-token').value.trim();
    if (token) headers.Authorization = `Bearer ${token}`;
    const init = { method: method.toUpperCase(), headers };
    if (bodyArea) { headers['Content-Type'] = bodyType; init.body = bodyArea.value; }
    out.textContent = `${init.method} ${url} …`;
    try {
      const res = await fetch(url, init);
      const text = await res.text();
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch { /* not JSON: as sent */ }
      const hs = ['content-type', 'location', 'x-request-id'].filter(h => res.headers.get(h)).map(h => `${h}: ${res.headers.get(h)}`);
      out.textContent = [`${init.method} ${url}`, `HTTP ${res.status} ${res.statusText}`.trim(), ...hs, '', shown].join('\n');
      out.dataset.status = String(res.status);
    } catch (err) {
      out.textContent = `Request failed: ${err.message}`;
      out.dataset.status = 'error';
    }
  });
  return el('details', { class: 'try-it' }, el('summary', {}, 'Try it'), form);
}

document.querySelector('header').append(tokenInput());

fetch('/openapi.json')
  .then(r => { if (!r.ok) throw new Error(`HTTP ${r.status}`); return r.json(); })
  .then(render)
  .catch(err => document.getElementById('ops').replaceChildren(el('p', {}, `Could not load the API description: ${err.message}`)));
