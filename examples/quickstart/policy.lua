-- policy.lua: the agent may not run shell commands. Runs in a sandboxed fengari (Lua 5.3) state.
Hook.register("BeforeToolExecution", function(ctx)
  if ctx.component.name ~= "shell" then
    return "continue"
  end
  Event.publish("policy.denied", { tool = "shell", command = ctx.data.command })
  return { type = "cancel", reason = "shell commands are not allowed" }
end, { name = "deny-shell", priority = "high" })
