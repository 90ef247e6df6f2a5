-- Written in the original rs-llmspell's style: hooks with priorities, Hook.list, a self-check.
local order = {}
local h1 = Hook.register("BeforeAgentExecution", function(ctx)
  table.insert(order, "low")
  return "continue"
end, "low")
local h2 = Hook.register("BeforeAgentExecution", function(ctx)
  table.insert(order, "highest")
  return { type = "modified", data = { checked = true } }
end, "highest")
local h3 = Hook.register("BeforeAgentExecution", function(ctx)
  table.insert(order, "p50")
  return "continue"
end, "Priority(50)")

local all = Hook.list()
print("hooks: " .. #all)
for i, hook in ipairs(all) do
  print(string.format("  %s %s %s v%s", hook.name, hook.priority, hook.language, hook.version))
end

local low = Hook.list({ priority = "Priority(100)" })
local highest = Hook.list({ priority = "highest" })
local by_point = Hook.list("BeforeAgentExecution")
local lua_hooks = Hook.list({ language = "LUA" })

local passed = #all == 3
  and #low == 1 and low[1].priority == "Priority(100)"
  and #highest == 1 and highest[1].priority == "Priority(-2147483648)"
  and #by_point == 3 and #lua_hooks == 3
  and all[1].version ~= nil

h1:unregister()
Hook.unregister(h2)
print("after unregister: " .. #Hook.list())
return passed and #Hook.list() == 1
