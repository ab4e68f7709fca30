-- Lost update over raw processes.
--
-- A counter server answers "get" and "set". Two clients each read the value
-- and write back value + 1. When both read before either writes, one update
-- is lost. The fixed twin (lost_update_fixed.lua) lets the server do the
-- increment, so read-modify-write is one message.
local ls = lockstep

local function counter_server(n)
  ls.label("counter")
  while true do
    local msg = ls.receive()
    if msg[1] == "get" then
      ls.send(msg[2], { "value", n })
    elseif msg[1] == "set" then
      n = msg[2]
      ls.send(msg[3], { "ok" })
    end
  end
end

local function call(server, request)
  ls.send(server, request)
  return ls.receive(function(m) return m[1] == "value" or m[1] == "ok" end)
end

ls.test("two clients adding 1 each end at 2", { strategy = "pct", iterations = 200 }, function()
  local counter = ls.spawn(counter_server, 0)
  local parent = ls.self()
  for _ = 1, 2 do
    ls.spawn(function()
      local me = ls.self()
      local v = call(counter, { "get", me })[2]
      call(counter, { "set", v + 1, me })
      ls.send(parent, "done")
    end)
  end
  for _ = 1, 2 do ls.receive(function(m) return m == "done" end) end
  local final = call(counter, { "get", ls.self() })[2]
  if final ~= 2 then error("lost update; counter is " .. final) end
end)
