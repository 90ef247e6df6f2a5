-- tool-stats.lua: counts tool events into State, per tool and outcome, and raises an alert
-- event when a tool fails. `tool.*` matches exactly one segment after `tool.`: tool.started,
-- tool.completed, tool.failed — not tool.cache.hit (use `tool.**` for any depth).

local SCOPE = "custom:tool-stats"

local function add(key, n)
  State.save(SCOPE, key, (State.load(SCOPE, key) or 0) + n)
end

Event.subscribe("tool.*", function(event)
  local tool = event.data.tool
  local outcome = event.event_type:match("^tool%.(.+)$") -- started | completed | failed
  add(tool .. "." .. outcome, 1)
  if event.data.ms then
    add(tool .. ".ms", event.data.ms)
  end
  if outcome == "failed" then
    Event.publish("alert.tool_failed", { tool = tool, error = event.data.error })
  end
end)

local subs = Event.list_subscriptions()
print(string.format("subscribed to %s (%d subscription)", subs[1].pattern, #subs))
