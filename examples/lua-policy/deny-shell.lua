#!/usr/bin/env lua
-- deny-shell.lua: a policy that refuses the `shell` tool and counts what it refused.
-- Load it with ScriptRuntime (see ../scripts/run.mjs); it runs in a sandboxed fengari state.

local denied = 0

Hook.register("BeforeToolExecution", function(ctx)
  if ctx.component.name ~= "shell" then
    return "continue"
  end
  denied = denied + 1
  log.warn("denied a shell call", { command = ctx.data.command, count = denied })
  Event.publish("policy.denied", { tool = "shell", command = ctx.data.command })
  return { type = "cancel", reason = "shell is not allowed (denied " .. denied .. " so far)" }
end, "high")

print("deny-shell.lua: registered on BeforeToolExecution")
