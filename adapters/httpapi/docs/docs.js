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
      ops.append(sec);
    }
  }
}

fetch('/openapi.json')
  .then(r => { if (!r.ok) throw new Error(`HTTP ${r.status}`); return r.json(); })
  .then(render)
  .catch(err => document.getElementById('ops').replaceChildren(el('p', {}, `Could not load the API description: ${err.message}`)));
