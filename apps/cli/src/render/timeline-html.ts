import { ms } from '../util/format.js';
import type { TimelineView, ViewNode } from './timeline-view.js';

/**
 * The timeline as one self-contained HTML page (inline CSS and JS, no network): the causality
 * tree with a duration bar per event on a shared time axis — a hook that waited for others
 * (`dependsOn`) with its wait drawn hatched before its bar, cancels, errors and timeouts each in
 * their own colour with the reason —, the concurrent groups drawn as lanes side by side, and the
 * causality chains. Clicking an event shows everything stored about it in a details panel
 * (data, metadata, ids, result, error, journal times); hovering highlights its chain and what it
 * waited for; clicking ▾ folds a subtree. Readable without JS (everything but the panel is
 * rendered here).
 */
export function renderTimelineHtml(view: TimelineView, options: { generatedAt?: Date } = {}): string {
  const total = Math.max(view.durationMs, 1);
  const labels = new Map<string, ViewNode>();
  const parents = new Map<string, ViewNode>();
  const index = (n: ViewNode) => {
    labels.set(n.id, n);
    for (const c of n.children) parents.set(c.id, n);
    n.children.forEach(index);
  };
  view.roots.forEach(index);
  const pct = (v: number) => `${Math.min(100, Math.max(0, (v / total) * 100)).toFixed(3)}%`;
  const bar = (n: ViewNode) => {
    const waits = n.waitsFor.map((id) => labels.get(id)).filter((w): w is ViewNode => w !== undefined);
    // The wait: from when the fire began until the hook could start (its prerequisites done).
    const from = parents.get(n.id)?.start ?? n.start;
    const wait =
      waits.length > 0 && n.start > from
        ? `<span class="wait" style="left:${pct(from)};width:${pct(n.start - from)}" title="${esc(`waited ${ms(n.start - from)} for ${waits.map((w) => w.label.split(' ')[0]).join(', ')}`)}"></span>`
        : '';
    return `<span class="track">${wait}<span class="bar ${kindOf(n)}" style="left:${pct(n.start)};width:max(2px,${pct(n.end - n.start)})" title="${esc(`${ms(n.start)} → ${ms(n.end)}`)}"></span></span>`;
  };
  const waitText = (n: ViewNode) => {
    const names = n.waitsFor.map((id) => labels.get(id)?.label.split(' ')[0]).filter(Boolean);
    return names.length > 0 ? `<span class="after">after ${esc(names.join(', '))}</span>` : '';
  };

  const tree = (nodes: readonly ViewNode[]): string =>
    nodes.length === 0
      ? ''
      : `<ul class="children">${nodes
          .map(
            (n) =>
              `<li class="node ${kindOf(n)}" data-id="${esc(n.id)}" data-type="${esc(n.type)}" data-status="${esc(n.status)}" data-outcome="${esc(n.outcome)}" data-label="${esc(shown(n))}" data-depth="${n.depth}" data-start="${n.start.toFixed(3)}" data-end="${n.end.toFixed(3)}"${n.waitsFor.length > 0 ? ` data-waits-for="${esc(n.waitsFor.join(' '))}"` : ''} style="--depth:${n.depth}">` +
              `<div class="row" tabindex="0"><span class="indent"></span><span class="toggle" role="button" aria-label="fold">${n.children.length ? '▾' : '·'}</span>` +
              `<span class="offset">+${esc(ms(n.start))}</span><span class="label">${esc(shown(n))}</span>${waitText(n)}` +
              `<span class="detail">${esc(n.detail)}</span>${bar(n)}</div>${tree(n.children)}</li>`,
          )
          .join('')}</ul>`;

  const groups = view.groups
    .map((g, gi) => {
      const members = g.ids.map((id) => labels.get(id)).filter((n): n is ViewNode => n !== undefined);
      const start = Math.min(...members.map((m) => m.start));
      const end = Math.max(...members.map((m) => m.end), start + 1);
      const span = end - start;
      const lanes = members
        .map((m) => {
          const top = ((m.start - start) / span) * 100;
          const height = Math.max(((m.end - m.start) / span) * 100, 2);
          return (
            `<div class="lane ${kindOf(m)}" data-id="${esc(m.id)}"><div class="lane-label">${esc(shown(m))}</div>` +
            `<div class="lane-track"><span class="lane-bar ${kindOf(m)}" style="top:${top.toFixed(3)}%;height:${height.toFixed(3)}%"></span></div>` +
            `<div class="lane-detail">${esc(m.detail)}</div></div>`
          );
        })
        .join('');
      return `<div class="group" data-kind="${g.kind}" data-index="${gi + 1}"><h3>${esc(g.label)} <small>${members.length} side by side · ${esc(ms(span))}</small></h3><div class="lanes">${lanes}</div></div>`;
    })
    .join('');

  const chains = view.chains
    .map(
      (chain) =>
        `<li class="chain" data-ids="${esc(chain.join(' '))}">${chain
          .map((id) => `<span class="link">${esc(labels.has(id) ? shown(labels.get(id)!) : id)}</span>`)
          .join('<span class="arrow">→</span>')}</li>`,
    )
    .join('');

  const ticks = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<span class="tick" style="left:${(f * 100).toFixed(0)}%">${esc(ms(total * f))}</span>`)
    .join('');
  const generated = (options.generatedAt ?? new Date()).toISOString();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hookspell timeline · ${esc(view.correlationId)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>hookspell timeline <code id="correlation">${esc(view.correlationId)}</code></h1>
<ul class="summary">
<li><b id="event-count">${view.eventCount}</b> events</li>
<li><b>${view.roots.length}</b> roots</li>
<li><b>${view.chains.length}</b> chains</li>
<li><b id="group-count">${view.groups.length}</b> concurrent groups</li>
<li><b>${esc(ms(view.durationMs))}</b> from first to last event</li>
<li>started ${esc(new Date(view.startedAt).toISOString())}</li>
</ul>
</header>
<main>
<section id="tree">
<h2>Causality tree <small>each event under its cause; bars on one time axis</small></h2>
<div class="axis">${ticks}</div>
<div class="tree-root">${tree(view.roots)}</div>
</section>
<section id="groups">
<h2>Concurrent groups <small>what ran side by side; lanes share the group's time axis (top = start)</small></h2>
${groups || '<p class="empty">No events ran concurrently.</p>'}
</section>
<section id="chains">
<h2>Causality chains <small>root → leaf</small></h2>
<ol class="chain-list">${chains}</ol>
</section>
</main>
<aside id="details" hidden><button type="button" class="close" aria-label="close">×</button><div class="content"></div></aside>
<footer>generated by hookspell at ${esc(generated)}</footer>
<script type="application/json" id="stored">${storedJson(view, labels)}</script>
<script>${JS}</script>
</body>
</html>
`;
}

/** A cancelling hook says `cancel`, not its recorded status `ok` (see `shownLabel`). */
function shown(n: ViewNode): string {
  return n.executionId !== undefined && n.outcome !== '' && n.outcome !== n.status
    ? `${n.label.slice(0, n.label.lastIndexOf(' '))} ${n.outcome}`
    : n.label;
}

/** The colour class: a cancel, error, timeout or skip in its own colour, whatever its kind. */
function kindOf(n: ViewNode): string {
  if (n.outcome) return `s-${n.outcome}`;
  if (n.type === 'hook.fire.started') return 'k-fire';
  if (n.type === 'hook.fire.completed') return 'k-decision';
  return 'k-event';
}

/**
 * What the details panel shows, per event id: the stored event, its drawn times, and its journal
 * span. JSON inside a script element: `<` is escaped, so no stored text can close the element.
 */
function storedJson(view: TimelineView, nodes: ReadonlyMap<string, ViewNode>): string {
  const byId: Record<string, unknown> = {};
  for (const event of view.events ?? []) {
    const node = nodes.get(event.id);
    const executionId = node?.executionId;
    const span = executionId === undefined ? undefined : view.spans?.get(executionId);
    byId[event.id] = {
      event,
      label: node === undefined ? undefined : shown(node),
      outcome: node?.outcome,
      reason: node?.reason,
      start: node?.start,
      end: node?.end,
      stored: node?.stored,
      waitsFor: node?.waitsFor.map((id) => nodes.get(id)?.label ?? id),
      ...(span !== undefined && { journal: span }),
    };
  }
  return JSON.stringify(byId)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function esc(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const CSS = `
:root{--ok:#2e9d5b;--cancel:#c2185b;--error:#d64545;--timeout:#e08a1e;--skipped:#9aa1a9;--breaker:#8d6e00;--fire:#3b6fd8;--decision:#6d4bd1;--event:#8a5a9e;--line:#e3e6ea;--fg:#1f2328;--muted:#656d76;--hl:#fff4c2;--sel:#dcebff}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:#f6f8fa}
header{padding:16px 24px;background:#fff;border-bottom:1px solid var(--line)}
h1{margin:0 0 8px;font-size:20px}h1 code{font-size:16px;background:#eef1f4;padding:2px 6px;border-radius:4px}
h2{font-size:16px;margin:0 0 10px}h2 small,h3 small{font-weight:normal;color:var(--muted);margin-left:8px;font-size:12px}
h3{font-size:14px;margin:0 0 8px}
.summary{display:flex;flex-wrap:wrap;gap:6px 18px;list-style:none;margin:0;padding:0;color:var(--muted)}.summary b{color:var(--fg)}
main{padding:16px 24px;display:grid;gap:16px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 16px}
.axis{position:relative;height:18px;margin:0 4px 0 auto;width:calc((100% - 8px) * .45);border-bottom:1px solid var(--line);font-size:11px;color:var(--muted)}
.tick{position:absolute;transform:translateX(-50%);white-space:nowrap}.tick:first-child{transform:none}.tick:last-child{transform:translateX(-100%)}
ul.children{list-style:none;margin:0;padding:0}
.indent{flex:0 0 calc(var(--depth) * 20px);align-self:stretch;background:repeating-linear-gradient(to right,transparent 0 9px,var(--line) 9px 10px,transparent 10px 20px)}
.row{display:flex;align-items:center;gap:8px;padding:2px 4px;border-radius:4px;min-height:24px}
.row:hover,.node.hl>.row{background:var(--hl)}
.toggle{width:14px;cursor:pointer;color:var(--muted);user-select:none;text-align:center}
.node.folded>ul.children{display:none}.node.folded>.row .toggle{transform:rotate(-90deg)}
.offset{color:var(--muted);font-variant-numeric:tabular-nums;min-width:74px;font-size:12px}
.label{font-weight:600;white-space:nowrap}.detail{color:var(--muted);white-space:nowrap;overflow:hidden;text-overflow:ellipsis;flex:1;min-width:60px;font-size:12px}
.track{position:relative;flex:0 0 45%;margin-left:auto;height:12px;background:#f0f2f4;border-radius:3px}
.bar{position:absolute;top:0;height:100%;border-radius:3px;min-width:2px}
.s-ok>.row .label{color:var(--ok)}.s-cancel>.row .label{color:var(--cancel)}.s-error>.row .label{color:var(--error)}.s-timeout>.row .label{color:var(--timeout)}.s-skipped>.row .label{color:var(--skipped)}.s-breaker>.row .label{color:var(--breaker)}.k-fire>.row .label{color:var(--fire)}
.s-cancel>.row .detail{color:var(--cancel)}.s-error>.row .detail{color:var(--error)}.s-timeout>.row .detail{color:var(--timeout)}
.bar.s-ok,.lane-bar.s-ok{background:var(--ok)}.bar.s-cancel,.lane-bar.s-cancel{background:var(--cancel)}.bar.s-error,.lane-bar.s-error{background:var(--error)}.bar.s-timeout,.lane-bar.s-timeout{background:var(--timeout)}.bar.s-skipped,.lane-bar.s-skipped{background:var(--skipped)}.bar.s-breaker,.lane-bar.s-breaker{background:var(--breaker)}
.wait{position:absolute;top:3px;height:6px;border-radius:3px;background:repeating-linear-gradient(45deg,#b7c0ca 0 3px,transparent 3px 6px)}
.after{font-size:11px;color:var(--muted);background:#eef1f4;border-radius:8px;padding:0 6px;white-space:nowrap}
.node.sel>.row{background:var(--sel)}.row{cursor:pointer}
#details{position:fixed;top:0;right:0;bottom:0;width:min(520px,45vw);overflow:auto;background:#fff;border-left:1px solid var(--line);box-shadow:-4px 0 16px rgba(0,0,0,.08);padding:14px 16px;font-size:13px}
#details h2{margin:0 28px 4px 0;font-size:16px;word-break:break-all}#details .close{position:absolute;top:8px;right:10px;border:0;background:none;font-size:20px;cursor:pointer;color:var(--muted)}
#details table{border-collapse:collapse;margin:8px 0;width:100%}#details th{text-align:left;color:var(--muted);font-weight:normal;padding:2px 10px 2px 0;vertical-align:top;white-space:nowrap}#details td{padding:2px 0;word-break:break-all}
#details h3{margin:12px 0 4px;font-size:13px}#details pre{margin:0;background:#f6f8fa;border:1px solid var(--line);border-radius:6px;padding:8px;overflow:auto;max-height:40vh;font-size:12px;white-space:pre-wrap;word-break:break-word}
#details .reason{color:var(--cancel)}
.bar.k-fire{background:var(--fire);opacity:.35}.bar.k-decision,.lane-bar.k-decision{background:var(--decision)}.bar.k-event,.lane-bar.k-event{background:var(--event)}.lane-bar.k-fire{background:var(--fire)}
.group{border:1px solid var(--line);border-radius:6px;padding:10px;margin-bottom:10px}
.lanes{display:flex;flex-direction:row;gap:10px;align-items:stretch;overflow-x:auto}
.lane{flex:1 1 0;min-width:110px;display:flex;flex-direction:column;gap:4px;align-items:center}
.lane-label{font-weight:600;font-size:12px;white-space:nowrap}.lane-detail{font-size:11px;color:var(--muted);text-align:center}
.lane-track{position:relative;width:26px;height:140px;background:#f0f2f4;border-radius:4px}
.lane-bar{position:absolute;left:0;width:100%;border-radius:4px;min-height:2px}
.chain-list{margin:0;padding-left:22px}.chain{padding:2px 0;cursor:default}.chain:hover{background:var(--hl)}
.link{background:#eef1f4;border-radius:4px;padding:1px 6px;font-size:12px}.arrow{color:var(--muted);margin:0 6px}
.empty{color:var(--muted);margin:0}
footer{padding:8px 24px 24px;color:var(--muted);font-size:12px}
`;

const JS = `
(function(){
  var nodes=document.querySelectorAll('.node');
  var stored=JSON.parse(document.getElementById('stored').textContent);
  document.querySelectorAll('.toggle').forEach(function(t){
    t.addEventListener('click',function(e){var li=t.closest('.node');if(li.querySelector('ul.children'))li.classList.toggle('folded');e.stopPropagation();});
  });
  function byId(id){return document.querySelector('.node[data-id="'+CSS.escape(id)+'"]');}
  function clear(){nodes.forEach(function(n){n.classList.remove('hl');});}
  function mark(ids){clear();ids.forEach(function(id){var n=byId(id);if(n)n.classList.add('hl');});}
  document.querySelectorAll('.node>.row').forEach(function(row){
    row.addEventListener('mouseenter',function(){var ids=[];var at=row.parentElement;var waits=at.dataset.waitsFor;while(at&&at.classList.contains('node')){ids.push(at.dataset.id);at=at.parentElement.closest('.node');}if(waits)ids=ids.concat(waits.split(' '));mark(ids);});
    row.addEventListener('mouseleave',clear);
    row.addEventListener('click',function(){show(row.parentElement.dataset.id);});
    row.addEventListener('keydown',function(e){if(e.key==='Enter')show(row.parentElement.dataset.id);});
  });
  document.querySelectorAll('.chain').forEach(function(c){
    c.addEventListener('mouseenter',function(){mark(c.dataset.ids.split(' '));});
    c.addEventListener('mouseleave',clear);
  });
  var panel=document.getElementById('details');
  var content=panel.querySelector('.content');
  panel.querySelector('.close').addEventListener('click',function(){panel.hidden=true;nodes.forEach(function(n){n.classList.remove('sel');});});
  function ms(v){return typeof v!=='number'?'-':v>=1000?(v/1000).toFixed(2)+' s':v.toFixed(1)+' ms';}
  function el(tag,text,cls){var e=document.createElement(tag);if(text!==undefined)e.textContent=text;if(cls)e.className=cls;return e;}
  function json(v){return JSON.stringify(v,null,2);}
  function show(id){
    var s=stored[id];if(!s)return;var ev=s.event;var data=ev.data||{};
    nodes.forEach(function(n){n.classList.toggle('sel',n.dataset.id===id);});
    content.textContent='';
    content.appendChild(el('h2',s.label||ev.type));
    var table=el('table');
    function row(k,v,cls){if(v===undefined||v===null||v==='')return;var tr=el('tr');tr.appendChild(el('th',k));tr.appendChild(el('td',String(v),cls));table.appendChild(tr);}
    row('type',ev.type);row('id',ev.id);row('correlation',ev.metadata&&ev.metadata.correlationId);row('caused by',ev.metadata&&ev.metadata.causationId);
    row('stored at',new Date(ev.timestamp).toISOString()+'  (+'+ms(s.stored)+')');
    row('drawn',s.end>s.start?'+'+ms(s.start)+' → +'+ms(s.end):'+'+ms(s.start));
    row('sequence',ev.sequence);row('source',ev.metadata&&ev.metadata.source);row('language',ev.language);
    if(data.executionId){row('execution',data.executionId);row('replay','hookspell replay '+data.executionId);}
    row('hook',data.hook);row('point',data.point);row('duration',typeof data.durationMs==='number'?ms(data.durationMs):undefined);
    row('outcome',s.outcome);row('reason',s.reason,'reason');
    if(s.waitsFor&&s.waitsFor.length)row('waited for',s.waitsFor.join(', '));
    if(s.journal)row('journal','started '+new Date(s.journal.startedAt).toISOString()+', ran '+ms(s.journal.durationMs));
    content.appendChild(table);
    if(data.result!==undefined){content.appendChild(el('h3','result'));content.appendChild(el('pre',json(data.result)));}
    if(data.error!==undefined){content.appendChild(el('h3','error'));content.appendChild(el('pre',String(data.error)));}
    content.appendChild(el('h3','data'));content.appendChild(el('pre',json(ev.data)));
    content.appendChild(el('h3','metadata'));content.appendChild(el('pre',json(ev.metadata)));
    panel.hidden=false;
  }
})();
`;
