-- Every request is answered: the fixed twin of lost_request.lua.
--
-- While it compacts, the server takes only the "compacted" message
-- (a selective receive); a request that arrives meanwhile stays in the
-- mailbox and is answered afterwards. The liveness monitor cools in every
-- schedule.
local ls = lockstep

local function server()
  ls.label("server")
  while true do
    local m = ls.receive()
    if m == "compact" then
      ls.receive(function(x) return x == "compacted" end)
    elseif type(m) == "table" and m[1] == "get" then
      ls.send(m[2], { "value", 42 })
    end
  end
end

ls.test("every request is answered",
  { strategy = "random", iterations = 200, liveness_steps = 200, max_steps = 2000 }, function()
  local pending = ls.atomics.new(1)
  ls.liveness("the request is answered", function() return ls.atomics.get(pending, 1) == 1 end)
  local kv = ls.spawn(server)
  ls.spawn(function()
    ls.label("compactor")
    ls.send(kv, "compact")
    ls.send(kv, "compacted")
  end)
  ls.atomics.put(pending, 1, 1)
  ls.send(kv, { "get", ls.self() })
  while not ls.receive(function(m) return m[1] == "value" end, 100) do end
  ls.atomics.put(pending, 1, 0)
end)
