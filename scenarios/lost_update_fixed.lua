-- Fixed twin of lost_update.lua: the server increments, so no update is lost
-- whatever the interleaving.
local ls = lockstep

local function counter_server(n)
  ls.label("counter")
  while true do
    local msg = ls.receive()
    if msg[1] == "get" then
      ls.send(msg[2], { "value", n })
    elseif msg[1] == "add" then
      n = n + msg[2]
      ls.send(msg[3], { "ok" })
    end
  end
end

local function call(server, request)
  ls.send(server, request)
  return ls.receive(function(m) return m[1] == "value" or m[1] == "ok" end)
end

ls.test("two clients adding 1 each end at 2", { strategy = "pct", iterations = 2000 }, function()
  local counter = ls.spawn(counter_server, 0)
  local parent = ls.self()
  for _ = 1, 2 do
    ls.spawn(function()
      call(counter, { "add", 1, ls.self() })
      ls.send(parent, "done")
    end)
  end
  for _ = 1, 2 do ls.receive(function(m) return m == "done" end) end
  local final = call(counter, { "get", ls.self() })[2]
  if final ~= 2 then error("lost update; counter is " .. final) end
end)
