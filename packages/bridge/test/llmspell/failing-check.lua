-- A self-checking script that fails its check: `hookspell run --check` exits 1 on it.
local results = { passed = 1, failed = 1 }
print("passed: " .. results.passed .. ", failed: " .. results.failed)
return results.failed == 0
