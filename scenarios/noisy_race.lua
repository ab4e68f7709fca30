-- A two-process race hidden among 200 steps of unrelated work.
--
-- Two chatty processes ping-pong 100 messages while two writers race to set
-- a register; the test expects the last writer spawned to win. The chatter
-- has nothing to do with the bug, and `lockstep shrink` removes it: the
-- shrunk trace keeps only the race. The fixed twin (noisy_race_fixed.lua)
-- starts the second writer after the first write is acknowledged.
local ls = lockstep

local function chatter(peer_name, rounds)
  for i = 1, rounds do
    local peer = ls.whereis(peer_name)
    if peer then ls.send(peer, i) end
    ls.receive(nil, 0)
  end
end

local function register_server()
  ls.label("register")
  local value
  while true do
    local m = ls.receive()
    if m[1] == "write" then
      value = m[2]
      ls.send(m[3], "written")
    else
      ls.send(m[2], value)
    end
  end
end

local function writer(register, value, parent)
  ls.send(register, { "write", value, ls.self() })
  ls.receive()
  ls.send(parent, "done")
end

ls.test("the last writer wins", { strategy = "pct", iterations = 500 }, function()
  ls.spawn(function() ls.register("ping", ls.self()); chatter("pong", 50) end)
  ls.spawn(function() ls.register("pong", ls.self()); chatter("ping", 50) end)
  local register = ls.spawn(register_server)
  ls.spawn(writer, register, "first", ls.self())
  ls.spawn(writer, register, "second", ls.self())
  ls.receive(); ls.receive()
  ls.send(register, { "read", ls.self() })
  local v = ls.receive()
  if v ~= "second" then error("the register holds " .. tostring(v)) end
end)
