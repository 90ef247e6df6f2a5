-- The original's pattern rules: a trailing * is a prefix, other patterns match themselves.
local test_sub = Event.subscribe("test.*")
local api_sub = Event.subscribe("api.v*")
local mid_sub = Event.subscribe("api.v*.response")
local error_sub = Event.subscribe("*.error")
local all_sub = Event.subscribe("*")
local empty_ok, empty_sub = pcall(Event.subscribe, "")

Event.publish("test.pattern.example", { n = 1 })
Event.publish("api.v1.response", { n = 2 })
Event.publish("app.error", { n = 3 })

local got_test = Event.receive(test_sub, 200)
local got_api = Event.receive(api_sub, 200)
local got_mid = Event.receive(mid_sub, 50)
local got_error = Event.receive(error_sub, 50)
local count_all = 0
while Event.receive(all_sub, 20) do count_all = count_all + 1 end

print("test.*           ->", got_test and got_test.event_type)
print("api.v*           ->", got_api and got_api.event_type)
print("api.v*.response  ->", got_mid and got_mid.event_type)
print("*.error          ->", got_error and got_error.event_type)
print("*                ->", count_all)

local subs = Event.list_subscriptions()
local languages_ok = true
for _, s in ipairs(subs) do
  if s.language ~= "Lua" then languages_ok = false end
end

return got_test ~= nil and got_test.data.n == 1
  and got_api ~= nil and got_api.data.n == 2
  and got_mid == nil and got_error == nil
  and count_all == 3 and empty_ok and type(empty_sub) == "string"
  and #subs == 6 and languages_ok
