/**
 * The explanation explorer served at `GET /`: one self-contained HTML page (inline CSS and script,
 * nothing fetched from elsewhere; the server's Content-Security-Policy enforces it). Pick a user
 * and an item, or a user and then one of their recommendations; the page shows the prediction and
 * each attention group as horizontal bars, largest weight first. It only calls the service's own
 * JSON endpoints, so what it shows is exactly what /explain and /recommend answer.
 *
 * Everything the page puts on screen from a reply goes through `textContent`, never `innerHTML`,
 * so feature names and ids cannot inject markup.
 */

const STYLE = `
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; color: #1d2430; background: #f6f7f9; }
  header { background: #1d2430; color: #fff; padding: 12px 24px; }
  header h1 { font-size: 18px; margin: 0; }
  header p { margin: 4px 0 0; color: #b8c0cc; font-size: 13px; }
  main { display: grid; grid-template-columns: 280px 1fr; gap: 24px; padding: 24px; max-width: 1100px; }
  section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 16px; }
  label { display: block; font-size: 13px; color: #556; margin-top: 10px; }
  input { width: 100%; box-sizing: border-box; padding: 6px 8px; font: inherit; border: 1px solid #bbc; border-radius: 4px; }
  button { margin-top: 12px; padding: 6px 14px; font: inherit; cursor: pointer; border-radius: 4px; border: 1px solid #2a5db0; background: #2a5db0; color: #fff; }
  button.secondary { background: #fff; color: #2a5db0; }
  ol { padding-left: 22px; margin: 8px 0 0; }
  ol li { cursor: pointer; padding: 2px 4px; border-radius: 3px; }
  ol li:hover, ol li.chosen { background: #e8eefb; }
  .muted { color: #778; font-size: 13px; }
  .error { color: #b00020; }
  .prediction { font-size: 28px; font-weight: 600; }
  h2 { font-size: 16px; margin: 20px 0 6px; }
  .bar-row { display: grid; grid-template-columns: minmax(120px, 32%) 1fr 70px; gap: 8px; align-items: center; margin: 3px 0; }
  .bar-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-size: 13px; }
  .bar-track { background: #eef0f3; height: 14px; border-radius: 3px; position: relative; }
  .bar { background: #2a5db0; height: 100%; border-radius: 3px; }
  .bar.negative { background: #c0563b; }
  .bar-value { text-align: right; font-variant-numeric: tabular-nums; font-size: 13px; }
`;

const SCRIPT = `
  const $ = (id) => document.getElementById(id);
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  async function getJson(path) {
    const response = await fetch(path);
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || ('HTTP ' + response.status));
    return body;
  }
  function query(params) {
    return Object.entries(params).filter(([, v]) => v !== '').map(([k, v]) => k + '=' + encodeURIComponent(v)).join('&');
  }
  function showError(target, error) {
    target.replaceChildren(el('p', 'error', String(error.message || error)));
  }
  const COLD = { none: '', user: 'cold start: the user has no training ratings', item: 'cold start: the item has no training ratings', both: 'cold start: neither has training ratings' };

  async function explain() {
    const out = $('result');
    const user = $('user').value.trim(), item = $('item').value.trim();
    if (!user || !item) { showError(out, new Error('enter a user id and an item id')); return; }
    out.replaceChildren(el('p', 'muted', 'explaining...'));
    try {
      const reply = await getJson('/explain?' + query({ user, item, top: $('top').value.trim() }));
      render(reply, out);
    } catch (error) { showError(out, error); }
  }

  function render(reply, out) {
    const nodes = [el('div', 'muted', 'user ' + reply.user + ', item ' + reply.item)];
    nodes.push(el('div', 'prediction', Number(reply.rating).toFixed(3)));
    const how = reply.source === 'fallback' ? 'answered by the cold-start fallback' : 'answered by ' + reply.model;
    nodes.push(el('div', 'muted', [how, COLD[reply.coldStart]].filter(Boolean).join('; ')));
    if (reply.note) nodes.push(el('p', 'muted', reply.note));
    for (const group of (reply.explanation ? reply.explanation.groups : [])) {
      const shown = group.weights.length < group.total ? ' (top ' + group.weights.length + ' of ' + group.total + ')' : '';
      nodes.push(el('h2', '', group.name + shown));
      const largest = Math.max(1e-12, ...group.weights.map((w) => Math.abs(w.weight)));
      for (const w of group.weights) {
        const row = el('div', 'bar-row');
        row.title = w.feature + ': ' + w.weight;
        const track = el('div', 'bar-track');
        const bar = el('div', w.weight < 0 ? 'bar negative' : 'bar');
        const scale = group.kind === 'attention' ? Math.max(group.sum, 1e-12) : largest;
        bar.style.width = (100 * Math.min(1, Math.abs(w.weight) / scale)).toFixed(1) + '%';
        track.append(bar);
        const value = group.kind === 'attention' ? (100 * w.weight).toFixed(1) + '%' : w.weight.toFixed(3);
        row.append(el('div', 'bar-name', w.feature), track, el('div', 'bar-value', value));
        nodes.push(row);
      }
    }
    out.replaceChildren(...nodes);
  }

  async function recommend() {
    const list = $('recommendations');
    const user = $('user').value.trim();
    if (!user) { showError(list, new Error('enter a user id')); return; }
    list.replaceChildren(el('p', 'muted', 'loading...'));
    try {
      const reply = await getJson('/recommend?' + query({ user, k: '20' }));
      const ol = el('ol');
      for (const r of reply.items) {
        const li = el('li', '', r.item + '  (' + Number(r.rating).toFixed(2) + ')');
        li.addEventListener('click', () => {
          for (const other of ol.children) other.classList.remove('chosen');
          li.classList.add('chosen');
          $('item').value = r.item;
          explain();
        });
        ol.append(li);
      }
      const nodes = [ol];
      if (reply.note) nodes.push(el('p', 'muted', reply.note));
      list.replaceChildren(...nodes);
    } catch (error) { showError(list, error); }
  }

  $('explain').addEventListener('click', explain);
  $('recommend').addEventListener('click', recommend);
  for (const id of ['user', 'item', 'top']) $(id).addEventListener('keydown', (e) => { if (e.key === 'Enter') explain(); });

  getJson('/health').then((h) => {
    $('model').textContent = h.model + ' on ' + h.dataset + ' (' + h.users + ' users, ' + h.items + ' items)';
    if (!h.explains) $('result').replaceChildren(el('p', 'error', 'model ' + h.model + ' does not explain its predictions; models that do: ' + h.explainingModels.join(', ')));
    if (h.example && !$('user').value) { $('user').value = h.example.user; $('item').value = h.example.item; }
  }).catch((error) => showError($('result'), error));
`;

/** The page's HTML. */
export function explorerPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Heed explanation explorer</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>Heed explanation explorer</h1><p id="model">loading…</p></header>
<main>
  <section>
    <label for="user">User id</label><input id="user" autocomplete="off">
    <label for="item">Item id</label><input id="item" autocomplete="off">
    <label for="top">Top weights per group (empty: all)</label><input id="top" inputmode="numeric" value="10">
    <button id="explain">Explain</button>
    <button id="recommend" class="secondary">Recommend for user</button>
    <div id="recommendations"></div>
  </section>
  <section id="result"><p class="muted">Pick a user and an item, then Explain.</p></section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
