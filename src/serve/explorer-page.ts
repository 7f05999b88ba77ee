/**
 * The explorer served at `GET /`: one self-contained HTML page (inline CSS and script, nothing
 * fetched from elsewhere; the server's Content-Security-Policy enforces it). Search a user by id or
 * description; see their top-N items with titles and predicted ratings; open the picture of the
 * model's explanation of any of them (`/explain.svg`); with two served models, see both models'
 * top-N side by side; read the data set's statistics. It only calls the service's own endpoints,
 * so what it shows is exactly what they answer.
 *
 * Everything the page puts on screen from a reply goes through `textContent` (or an image URL
 * built with `encodeURIComponent`), never `innerHTML`, so titles and ids cannot inject markup.
 */

const STYLE = `
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; color: #1d2430; background: #f6f7f9; }
  header { background: #1d2430; color: #fff; padding: 12px 24px; }
  header h1 { font-size: 18px; margin: 0; }
  header p { margin: 4px 0 0; color: #b8c0cc; font-size: 13px; }
  main { display: grid; grid-template-columns: 300px 1fr; gap: 20px; padding: 20px; }
  section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 14px 16px; margin-bottom: 16px; }
  h2 { font-size: 16px; margin: 0 0 8px; }
  h3 { font-size: 14px; margin: 12px 0 4px; }
  label { display: block; font-size: 13px; color: #556; margin-top: 8px; }
  input, select { width: 100%; box-sizing: border-box; padding: 6px 8px; font: inherit; border: 1px solid #bbc; border-radius: 4px; background: #fff; }
  button { padding: 4px 10px; font: inherit; font-size: 13px; cursor: pointer; border-radius: 4px; border: 1px solid #2a5db0; background: #fff; color: #2a5db0; }
  button.primary { background: #2a5db0; color: #fff; margin-top: 8px; }
  ul.users { list-style: none; padding: 0; margin: 8px 0 0; max-height: 260px; overflow-y: auto; }
  ul.users li { cursor: pointer; padding: 3px 6px; border-radius: 3px; font-size: 13px; }
  ul.users li:hover, ul.users li.chosen { background: #e8eefb; }
  .muted { color: #778; font-size: 13px; }
  .error { color: #b00020; }
  #columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; align-items: start; }
  table { border-collapse: collapse; width: 100%; font-size: 14px; }
  td, th { padding: 4px 6px; border-bottom: 1px solid #eef0f3; text-align: left; vertical-align: top; }
  td.rating, th.rating { text-align: right; font-variant-numeric: tabular-nums; }
  td.rank { color: #778; width: 24px; }
  img.picture { display: block; max-width: 100%; margin: 6px 0; border: 1px solid #dde1e7; border-radius: 4px; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: 2px 12px; margin: 0; font-size: 13px; }
  dt { color: #556; }
  dd { margin: 0; font-variant-numeric: tabular-nums; }
  .bar-row { display: grid; grid-template-columns: 40px 1fr 64px; gap: 6px; align-items: center; margin: 2px 0; font-size: 12px; }
  .bar-track { background: #eef0f3; height: 12px; border-radius: 3px; }
  .bar { background: #2a5db0; height: 100%; border-radius: 3px; }
  .bar-value { text-align: right; font-variant-numeric: tabular-nums; }
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
    return Object.entries(params).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => k + '=' + encodeURIComponent(v)).join('&');
  }
  function showError(target, error) {
    target.replaceChildren(el('p', 'error', String(error.message || error)));
  }
  const state = { models: [], user: '', description: '' };
  const chosenModels = () => [$('model-a').value, $('model-b').value].filter((name, k, all) => name !== '' && all.indexOf(name) === k);
  const modelInfo = (name) => state.models.find((m) => m.name === name);

  async function start() {
    try {
      state.models = (await getJson('/models')).models;
    } catch (error) { showError($('columns'), error); return; }
    for (const m of state.models) $('model-a').append(option(m.name, m.name + ' (' + m.model + ')'));
    $('model-b').append(option('', 'none'));
    for (const m of state.models) $('model-b').append(option(m.name, m.name + ' (' + m.model + ')'));
    if (state.models.length > 1) $('model-b').value = state.models[1].name;
    else $('compare').hidden = true;
    $('model-a').addEventListener('change', () => { describeModels(); showStatistics(); search(); showUser(); });
    $('model-b').addEventListener('change', () => { describeModels(); showUser(); });
    describeModels();
    showStatistics();
    search();
    try {
      const health = await getJson('/health?' + query({ model: $('model-a').value }));
      if (health.example && state.user === '') pickUser(health.example.user);
    } catch (error) { showError($('columns'), error); }
  }
  function option(value, text) {
    const node = el('option', '', text);
    node.value = value;
    return node;
  }
  function describeModels() {
    $('served').textContent = chosenModels().map((name) => { const m = modelInfo(name); return m.model + ' on ' + m.dataset + ' (' + m.users + ' users, ' + m.items + ' items)'; }).join('  vs  ');
  }

  let searchNumber = 0;
  async function search() {
    const number = ++searchNumber;
    const list = $('users');
    try {
      const reply = await getJson('/users?' + query({ q: $('user-search').value.trim(), limit: '12', model: $('model-a').value }));
      if (number !== searchNumber) return;
      const ul = el('ul', 'users');
      for (const u of reply.users) {
        const li = el('li', u.id === state.user ? 'chosen' : '', u.id + (u.description ? ' · ' + u.description : '') + ' · ' + u.ratings + ' ratings');
        li.dataset.user = u.id;
        li.dataset.description = u.description || '';
        li.addEventListener('click', () => pickUser(u.id, u.description));
        ul.append(li);
      }
      const count = reply.total === 0 ? 'no user matches' : reply.total > reply.users.length ? reply.users.length + ' of ' + reply.total + ' users' : reply.total + (reply.total === 1 ? ' user' : ' users');
      list.replaceChildren(el('p', 'muted', count), ul);
    } catch (error) { if (number === searchNumber) showError(list, error); }
  }

  async function pickUser(id, description) {
    state.user = id;
    state.description = description || '';
    if (description === undefined) {
      // Not picked from the list: the exact id comes first in a search for it.
      const found = await getJson('/users?' + query({ q: id, limit: '1', model: $('model-a').value })).catch(() => ({ users: [] }));
      if (found.users[0] && found.users[0].id === id) state.description = found.users[0].description || '';
    }
    for (const li of $('users').querySelectorAll('li')) li.classList.toggle('chosen', li.dataset.user === id);
    showUser();
  }

  function showUser() {
    if (state.user === '') return;
    const columns = chosenModels().map((name) => {
      const column = el('section', 'column');
      column.dataset.model = name;
      recommendations(name, column);
      return column;
    });
    $('columns').replaceChildren(...columns);
  }

  async function recommendations(name, column) {
    const model = modelInfo(name);
    const user = state.user;
    const heading = el('div');
    heading.append(el('h2', '', name + ': top ' + $('k').value + ' for user ' + user));
    if (state.description) heading.append(el('p', 'muted user-description', state.description));
    column.replaceChildren(heading, el('p', 'muted', 'loading...'));
    try {
      const reply = await getJson('/recommend?' + query({ user, k: $('k').value, model: name }));
      const table = el('table');
      const head = el('tr');
      head.append(el('th', '', '#'), el('th', '', 'item'), el('th', 'rating', 'predicted'), el('th', '', ''));
      table.append(head);
      reply.items.forEach((r, k) => {
        const row = el('tr', 'recommendation');
        row.dataset.item = r.item;
        const why = el('td');
        if (model.explains) {
          const button = el('button', 'why', 'why?');
          button.addEventListener('click', () => togglePicture(row, name, user, r));
          why.append(button);
        }
        row.append(el('td', 'rank', String(k + 1)), el('td', 'title', r.title || r.item), el('td', 'rating', Number(r.rating).toFixed(2)), why);
        table.append(row);
      });
      const nodes = [column.firstChild, table];
      if (!model.explains) nodes.push(el('p', 'muted', 'model ' + model.model + ' does not explain its predictions'));
      if (reply.note) nodes.push(el('p', 'muted', reply.note));
      column.replaceChildren(...nodes);
    } catch (error) { column.replaceChildren(column.firstChild, el('p', 'error', String(error.message || error))); }
  }

  function togglePicture(row, model, user, r) {
    const next = row.nextSibling;
    if (next && next.className === 'picture-row') { next.remove(); return; }
    const cell = el('td');
    cell.colSpan = 4;
    cell.append(picture(model, user, r.item, r.title || r.item));
    const pictureRow = el('tr', 'picture-row');
    pictureRow.append(cell);
    row.after(pictureRow);
  }

  function picture(model, user, item, title) {
    const img = el('img', 'picture');
    img.alt = model + "'s explanation of its prediction for user " + user + ' and ' + title;
    img.src = '/explain.svg?' + query({ user, item, model });
    return img;
  }

  async function explainItem() {
    const item = $('item').value.trim();
    const out = $('pair');
    if (state.user === '' || item === '') { showError(out, new Error('pick a user and enter an item id')); return; }
    out.replaceChildren(...chosenModels().filter((name) => modelInfo(name).explains).map((name) => picture(name, state.user, item, 'item ' + item)));
  }

  async function showStatistics() {
    const out = $('stats');
    try {
      const s = await getJson('/stats?' + query({ model: $('model-a').value }));
      const nodes = [];
      if (s.all) nodes.push(el('h3', '', 'data set ' + s.dataset), facts(s.all), histogram(s.all.histogram));
      nodes.push(el('h3', '', 'training ratings'), facts(s.training));
      if (s.training.histogram) nodes.push(histogram(s.training.histogram));
      if (s.note) nodes.push(el('p', 'muted', s.note));
      out.replaceChildren(...nodes);
    } catch (error) { showError(out, error); }
  }
  function facts(s) {
    const dl = el('dl');
    const rows = [['users', s.users.toLocaleString('en')], ['items', s.items.toLocaleString('en')], ['ratings', s.ratings.toLocaleString('en')], ['sparsity', (100 * s.sparsity).toFixed(2) + '%']];
    for (const [name, value] of rows) dl.append(el('dt', '', name), el('dd', 'stat-' + name, value));
    return dl;
  }
  function histogram(bins) {
    const box = el('div', 'histogram');
    const largest = Math.max(1, ...bins.map((b) => b.count));
    for (const b of bins) {
      const row = el('div', 'bar-row');
      const track = el('div', 'bar-track');
      const bar = el('div', 'bar');
      bar.style.width = (100 * b.count / largest).toFixed(1) + '%';
      track.append(bar);
      const name = b.from === b.to ? String(b.from) : b.from.toFixed(2) + '–' + b.to.toFixed(2);
      row.append(el('div', 'bar-name', name), track, el('div', 'bar-value', b.count.toLocaleString('en')));
      box.append(row);
    }
    return box;
  }

  let typing;
  $('user-search').addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(search, 150); });
  $('user-search').addEventListener('keydown', (e) => {
    if (e.key !== 'Enter') return;
    clearTimeout(typing);
    search().then(() => { const first = $('users').querySelector('li'); if (first) pickUser(first.dataset.user, first.dataset.description); });
  });
  $('k').addEventListener('change', showUser);
  $('explain').addEventListener('click', explainItem);
  $('item').addEventListener('keydown', (e) => { if (e.key === 'Enter') explainItem(); });
  start();
`;

/** The page's HTML. */
export function explorerPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Heed explorer</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>Heed explorer</h1><p id="served">loading…</p></header>
<main>
  <div>
    <section>
      <label for="model-a">Model</label><select id="model-a"></select>
      <div id="compare"><label for="model-b">Compare with</label><select id="model-b"></select></div>
      <label for="user-search">User (id or description)</label><input id="user-search" autocomplete="off" placeholder="e.g. 196 or technician">
      <div id="users"></div>
      <label for="k">Top N</label><input id="k" type="number" min="1" max="100" value="10">
    </section>
    <section>
      <h2>Explain one item</h2>
      <label for="item">Item id</label><input id="item" autocomplete="off">
      <button id="explain" class="primary">Explain</button>
    </section>
    <section><h2>Statistics</h2><div id="stats"><p class="muted">loading…</p></div></section>
  </div>
  <div>
    <div id="pair"></div>
    <div id="columns"><p class="muted">Pick a user.</p></div>
  </div>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
