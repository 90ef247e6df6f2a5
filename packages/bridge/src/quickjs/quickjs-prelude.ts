/**
 * The script-facing globals of a QuickJS context, written in JavaScript and run before the script.
 * It receives the host's primitive functions (`host`) in a closure and never puts them on the
 * global object, so a script sees only `Hook`, `Event`, `State`, `log`, `print`, `console` and
 * `sleep`, each a frozen object of plain functions, plus the host's own `globals` (`hostTree`). Names are the Lua API's in camelCase; whatever waits
 * on the host returns a promise.
 * @internal
 */
export const PRELUDE_SOURCE = `(host, hostTree) => {
  'use strict';
  const freeze = Object.freeze, stringify = JSON.stringify;
  const handle = (info) => freeze({
    id: info.id, name: info.name, point: info.point, hookPoint: info.point,
    unregister: () => host.hookUnregister(info.id),
    toString: () => 'HookHandle(' + info.name + ' @ ' + info.point + ')',
  });
  const text = (v) => {
    if (typeof v === 'string') return v;
    try { const s = stringify(v); return s === undefined ? String(v) : s; } catch (e) { return String(v); }
  };
  const line = (args) => { let s = ''; for (let i = 0; i < args.length; i++) s += (i ? ' ' : '') + text(args[i]); return s; };
  globalThis.Hook = freeze({
    register(point, fn, options) {
      if (typeof fn !== 'function') throw new TypeError('Hook.register: \`fn\` (argument 2) must be a function');
      return handle(host.hookRegister(point, fn, options));
    },
    builtin(name, options) {
      if (typeof name !== 'string') throw new TypeError('Hook.builtin: \`name\` (argument 1) must be the name of a built-in hook such as "rateLimit"');
      return freeze(host.hookBuiltin(name, options).map(handle));
    },
    unregister(h) {
      if (h === null || typeof h !== 'object' || typeof h.id !== 'string')
        throw new TypeError('Hook.unregister: expected a handle returned by Hook.register');
      return host.hookUnregister(h.id);
    },
    list: (filter) => host.hookList(filter),
  });
  globalThis.Event = freeze({
    publish: (type, data, options) => host.eventPublish(type, data, options),
    subscribe(pattern, fn) {
      if (fn !== undefined && typeof fn !== 'function') throw new TypeError('Event.subscribe: \`fn\` must be a function');
      return host.eventSubscribe(pattern, fn);
    },
    receive: (id, timeoutMs) => host.eventReceive(id, timeoutMs),
    unsubscribe: (id) => host.eventUnsubscribe(id),
    listSubscriptions: () => host.eventListSubscriptions(),
    getStats: () => host.eventStats(),
  });
  globalThis.State = freeze({
    save: (scope, key, value) => host.stateSave(scope, key, value),
    load: (scope, key) => host.stateLoad(scope, key),
    delete: (...a) => a.length >= 2 ? host.stateDelete(a[0], a[1]) : host.stateDelete('global', a[0]),
    listKeys: (scope) => host.stateListKeys(scope),
    get: (...a) => a.length >= 2 ? host.stateLoad(a[0], a[1]) : host.stateLoad('global', a[0]),
    set: (...a) => a.length >= 3 ? host.stateSave(a[0], a[1], a[2]) : host.stateSave('global', a[0], a[1]),
    list: (scope) => host.stateListKeys(scope === undefined ? 'global' : scope),
  });
  // The host's own globals: functions call the host by id; tables are frozen like the others.
  const build = (node) => {
    if (node.fn !== undefined) { const id = node.fn; return function (...args) { return host.hostCall(id, args); }; }
    if (node.table !== undefined) {
      const o = {};
      for (const k of Object.keys(node.table)) o[k] = build(node.table[k]);
      return freeze(o);
    }
    return node.value;
  };
  for (const name of Object.keys(hostTree)) globalThis[name] = build(hostTree[name]);
  globalThis.sleep = (ms) => host.sleep(ms);
  const logger = (level) => (message, data) => host.log(level, text(message), data);
  globalThis.log = freeze({ debug: logger('debug'), info: logger('info'), warn: logger('warn'), error: logger('error') });
  const print = (...args) => host.print(line(args));
  globalThis.print = print;
  const consoleLevel = (level) => (...args) => host.log(level, line(args));
  globalThis.console = freeze({
    log: print, info: consoleLevel('info'), warn: consoleLevel('warn'), error: consoleLevel('error'), debug: consoleLevel('debug'),
  });
}`;
