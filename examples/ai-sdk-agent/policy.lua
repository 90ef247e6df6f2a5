-- policy.lua: the agent reads files under reports/ only. Runs in a sandboxed fengari (Lua 5.3)
-- state; the same policy would guard a Claude Code session (same points, same data keys).
Hook.register("BeforeToolExecution", function(ctx)
  if ctx.data.tool_name ~= "read_file" then
    return "continue"
  end
  local path = tostring(ctx.data.tool_input and ctx.data.tool_input.path or "")
  if string.sub(path, 1, 8) == "reports/" and not string.find(path, "..", 1, true) then
    return "continue"
  end
  Event.publish("policy.denied", { tool = "read_file", path = path })
  return { type = "cancel", reason = "only files under reports/ may be read" }
end, { name = "reports-only", priority = "high" })
