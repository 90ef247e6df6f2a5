-- budget.lua: a spending budget per session, on top of the costTracking built-in.
--
-- costTracking (priority low) prices every model call at AfterAgentExecution and writes the
-- price into the context's metadata (cost_total, cost_currency, ...). This script reads it at
-- priority lowest (after the built-in), adds it to the session's spend in State, and refuses
-- the next call of a session that has used up its budget. It also listens to the built-in's
-- cost.alert events.

local BUDGET = 0.10 -- USD per session

local function session_of(ctx)
  return "session:" .. (ctx.metadata.session_id or "anonymous")
end

Hook.register("BeforeAgentExecution", function(ctx)
  local spent = State.load(session_of(ctx), "spent") or 0
  if spent >= BUDGET then
    return {
      type = "cancel",
      reason = string.format("session %s spent $%.4f of its $%.2f budget", ctx.metadata.session_id, spent, BUDGET),
    }
  end
  return "continue"
end, { name = "session-budget", priority = "high" })

Hook.register("AfterAgentExecution", function(ctx)
  local cost = tonumber(ctx.metadata.cost_total or "0")
  local scope = session_of(ctx)
  local spent = (State.load(scope, "spent") or 0) + cost
  State.save(scope, "spent", spent)
  State.save(scope, "calls", (State.load(scope, "calls") or 0) + 1)
  if spent >= BUDGET * 0.8 then
    log.warn(string.format("%s has used %d%% of its budget", scope, math.floor(spent / BUDGET * 100)))
  end
end, { name = "session-spend", priority = "lowest" })

Event.subscribe("cost.alert", function(event)
  local d = event.data
  log.warn(string.format("cost alert: %s '%s' passed $%.2f (now $%.4f)", d.scope, d.key, d.threshold, d.total))
end)
