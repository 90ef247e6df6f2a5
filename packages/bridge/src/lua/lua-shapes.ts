import type { HookspellEvent } from '@hookspell/events';
import type { HookContext } from '@hookspell/hooks';
import fengari from './fengari.js';
import { key, markArray, pushValue, toLuaString } from './lua-values.js';

const { lua_createtable, lua_setfield, lua_pushstring, lua_pushnumber, lua_pushinteger, lua_pushvalue } =
  fengari.lua;

function setString(L: unknown, field: string, value: string): void {
  lua_pushstring(L, toLuaString(value));
  lua_setfield(L, -2, key(field));
}

/**
 * Pushes the context table a Lua hook receives (parity.md): `{ point, correlation_id,
 * component = { type, name, id? }, component_id (same table), language, metadata, data,
 * timestamp, operation? }`. Built field by field, straight from the host context, so no
 * intermediate object is made on the hot path. Returns 1 (values pushed).
 * @internal
 */
export function pushContext(L: unknown, ctx: HookContext): number {
  lua_createtable(L, 0, 9);
  setString(L, 'point', ctx.point);
  setString(L, 'correlation_id', ctx.correlationId);
  setString(L, 'language', ctx.language);
  const c = ctx.component;
  lua_createtable(L, 0, 3);
  setString(L, 'type', c.type);
  setString(L, 'name', c.name);
  if (c.id !== undefined) setString(L, 'id', c.id);
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, key('component_id'));
  lua_setfield(L, -2, key('component'));
  pushValue(L, ctx.metadata, 'ctx.metadata');
  lua_setfield(L, -2, key('metadata'));
  pushValue(L, ctx.data, 'ctx.data');
  lua_setfield(L, -2, key('data'));
  lua_pushnumber(L, ctx.timestamp);
  lua_setfield(L, -2, key('timestamp'));
  if (ctx.operation !== undefined) {
    pushValue(L, ctx.operation, 'ctx.operation');
    lua_setfield(L, -2, key('operation'));
  }
  return 1;
}

/**
 * Pushes an event as the original's snake_case wire table (parity.md): `{ id, event_type, type,
 * data, language, timestamp (RFC 3339), sequence, metadata = { correlation_id, causation_id,
 * source, target, tags, priority, ttl }, schema_version }`. `type` mirrors `event_type`.
 * @internal
 */
export function pushEvent(L: unknown, event: HookspellEvent): number {
  lua_createtable(L, 0, 9);
  setString(L, 'id', event.id);
  setString(L, 'event_type', event.type);
  setString(L, 'type', event.type);
  pushValue(L, event.data, 'event.data');
  lua_setfield(L, -2, key('data'));
  setString(L, 'language', event.language);
  setString(L, 'timestamp', new Date(event.timestamp).toISOString());
  lua_pushnumber(L, event.sequence);
  lua_setfield(L, -2, key('sequence'));
  setString(L, 'schema_version', event.schemaVersion);
  const m = event.metadata;
  lua_createtable(L, 0, 7);
  setString(L, 'correlation_id', m.correlationId);
  if (m.causationId !== undefined) setString(L, 'causation_id', m.causationId);
  if (m.source !== undefined) setString(L, 'source', m.source);
  if (m.target !== undefined) setString(L, 'target', m.target);
  pushValue(L, m.tags, 'event.metadata.tags');
  if (m.tags.length === 0) markArray(L, -1);
  lua_setfield(L, -2, key('tags'));
  lua_pushinteger(L, m.priority | 0);
  lua_setfield(L, -2, key('priority'));
  if (m.ttlSeconds !== undefined) {
    lua_pushnumber(L, m.ttlSeconds);
    lua_setfield(L, -2, key('ttl'));
  }
  lua_setfield(L, -2, key('metadata'));
  return 1;
}
