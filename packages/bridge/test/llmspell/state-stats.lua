-- Free-form State scopes, nil saves, stats printing, replace with data, 64-bit literals.
State.save("system", "boot_count", 1)
State.save("agent_1", "memory", { last = "hello" })
State.save("", "anon", true)
State.save("session", "temp", "x")
State.save("session", "temp", nil)

local sub = Event.subscribe("metrics.*")
Event.publish("metrics.tick", { ok = true })
local stats = Event.get_stats()
print("events processed: " .. tostring(stats.event_bus_stats.events_processed))
print("active subscriptions: " .. tostring(stats.bridge_stats.active_subscriptions))
print("by language Lua: " .. tostring(stats.bridge_stats.subscriptions_by_language.Lua))

Hook.register("BeforeToolExecution", function(ctx)
  return { type = "replace", data = { cached = true, mask = 0xFFFFFFFF } }
end, "high")

return State.load("system", "boot_count") == 1
  and State.load("agent_1", "memory").last == "hello"
  and State.load("", "anon") == true
  and State.load("session", "temp") == nil
  and stats.event_bus_stats.events_processed >= 1
  and stats.bridge_stats.active_subscriptions == 1
  and stats.bridge_stats.subscriptions_by_language.Lua == 1
  and 0xFFFFFFFF == 4294967295
