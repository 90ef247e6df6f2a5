import type { HookspellEvent } from '@hookspell/events';
import type { HookContext } from '@hookspell/hooks';
import type { QuickJSHandle } from 'quickjs-emscripten-core';
import { builtinValueError } from '../builtin-options.js';
import { HostCallError, isThenable } from '../script-host.js';
import type { QuickJSInstance } from './quickjs-instance.js';
import { enterGrowthBudget } from './quickjs-memory-guard.js';

/**
 * Builds the object of host primitives the prelude closes over (`hookRegister`, `eventPublish`,
 * `stateLoad`…). Each converts its arguments with the bridge's rules, calls the script's
 * ScriptHost, and returns a guest value or a guest promise. Host errors become guest errors the
 * script can catch. Returns a handle the caller disposes.
 * @internal
 */
export function hostObject(inst: QuickJSInstance): QuickJSHandle {
  const { vm, host } = inst;
  const limits = host.limits;
  const obj = vm.newObject();
  type HostFn = (a?: QuickJSHandle, b?: QuickJSHandle, c?: QuickJSHandle) => QuickJSHandle | undefined;
  const def = (name: string, fn: HostFn) => {
    const f = vm.newFunction(name, (a, b, c) => {
      // While the jobs of an overrun are dropped, a job reaching the host does nothing: no hook,
      // no event, no guest value (allocations fail then, see QuickJSInstance#dropJobs).
      if (inst.dropping) return undefined;
      // What the host builds for the script (an event, a loaded value) is the host's memory,
      // as for Lua: only the script's own code is held to the growth bound (the conversions
      // that run script code enter it again).
      const growth = enterGrowthBudget(undefined);
      try {
        return fn(a, b, c);
      } finally {
        enterGrowthBudget(growth);
      }
    });
    vm.setProp(obj, name, f);
    f.dispose();
  };
  const arg = (h: QuickJSHandle | undefined, path: string): unknown =>
    h === undefined ? undefined : inst.toHost(h, path);
  const out = (value: unknown, path: string) => inst.toGuest(value, path);

  def('hookRegister', (point, fn, options) => {
    const p = arg(point, 'point');
    const opts = arg(options, 'options');
    const fnId = inst.keep(fn!);
    try {
      const handle = host.registerHook(
        p,
        (meta) => {
          const what = `hook '${meta.name}' at ${meta.point}`;
          return (ctx: HookContext) => inst.call(fnId, ctx, 'ctx', limits.callbackMs, what, meta.waitMs);
        },
        opts,
        () => inst.release(fnId),
      );
      return out({ id: handle.id, name: handle.name, point: handle.point }, 'handle');
    } catch (error) {
      inst.release(fnId);
      throw error;
    }
  });
  def('hookBuiltin', (name, options) => {
    const n = arg(name, 'name');
    let opts: unknown;
    try {
      opts = arg(options, 'options');
    } catch (error) {
      throw builtinValueError(String(n), error);
    }
    const handles = host.registerBuiltin(n, opts);
    return out(
      handles.map((h) => ({ id: h.id, name: h.name, point: h.point })),
      'handles',
    );
  });
  def('hookUnregister', (id) => out(host.unregisterHook(String(arg(id, 'id'))), 'result'));
  def('hookList', (filter) => out(host.listHooks(arg(filter, 'filter')), 'hooks'));

  def('eventPublish', (type, data, options) => {
    inst.refuseIfPastDeadline('Event.publish');
    return inst.promise(
      host.publish(arg(type, 'type'), arg(data, 'data'), arg(options, 'options')).then(() => true),
      'result',
    );
  });
  def('eventSubscribe', (pattern, fn) => {
    const p = arg(pattern, 'pattern');
    if (fn === undefined || vm.typeof(fn) === 'undefined') return out(host.subscribe(p, undefined), 'id');
    const fnId = inst.keep(fn);
    const what = `subscriber of '${String(p)}'`;
    try {
      const id = host.subscribe(
        p,
        (event: HookspellEvent) => inst.call(fnId, event, 'event', limits.callbackMs, what, limits.waitMs),
        () => inst.release(fnId),
      );
      return out(id, 'id');
    } catch (error) {
      inst.release(fnId);
      throw error;
    }
  });
  def('eventReceive', (id, timeout) =>
    inst.promise(Promise.resolve(host.receive(arg(id, 'id'), arg(timeout, 'timeoutMs'))), 'event'),
  );
  def('eventUnsubscribe', (id) => out(host.unsubscribe(arg(id, 'id')), 'result'));
  def('eventListSubscriptions', () => out(host.listSubscriptions(), 'subscriptions'));
  def('eventStats', () => out(host.stats(), 'stats'));

  def('stateSave', (scope, k, value) =>
    inst.promise(
      host.stateSave(arg(scope, 'scope'), arg(k, 'key'), arg(value, 'value')).then(() => true),
      'result',
    ),
  );
  def('stateLoad', (scope, k) => inst.promise(host.stateLoad(arg(scope, 'scope'), arg(k, 'key')), 'value'));
  def('stateDelete', (scope, k) =>
    inst.promise(host.stateDelete(arg(scope, 'scope'), arg(k, 'key')), 'result'),
  );
  def('stateListKeys', (scope) => inst.promise(host.stateListKeys(arg(scope, 'scope')), 'keys'));

  // Host globals (`globals`): one primitive for all of them, by id; the prelude builds the tables.
  def('hostCall', (id, args) => {
    const n = Number(arg(id, 'id'));
    const path = host.hostPath(n);
    const resultPath = `the result of ${path}()`;
    let value: unknown;
    try {
      const list = arg(args, `${path} arguments`);
      value = host.callHost(n, Array.isArray(list) ? list : []);
    } catch (error) {
      if (error instanceof HostCallError) throw inst.guestError(error);
      throw error;
    }
    return isThenable(value) ? inst.promise(Promise.resolve(value), resultPath) : out(value, resultPath);
  });
  def('sleep', (ms) => inst.promise(host.sleep(arg(ms, 'ms')), 'result'));

  def('log', (level, message, data) => {
    const l = arg(level, 'level');
    host.log(
      l === 'debug' || l === 'warn' || l === 'error' ? l : 'info',
      String(arg(message, 'message')),
      arg(data, 'data'),
    );
    return undefined;
  });
  def('print', (text) => {
    host.print(String(arg(text, 'text')));
    return undefined;
  });
  return obj;
}
