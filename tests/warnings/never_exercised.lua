-- Tests that pass without exercising what they are about: each gets a
-- warning (engine/warnings.h), and --strict fails the run.
local ls = lockstep

-- A fault budget on a test with one node: nothing is ever in flight
-- between nodes, so no fault can be injected.
ls.test("faults on one node", { faults = { drop = 2, partition = 1 }, iterations = 50 }, function()
  local me = ls.self()
  ls.spawn(function() ls.send(me, "hi") end)
  assert(ls.receive() == "hi")
end)

-- A spin loop that some schedules cut off at max_steps.
ls.test("a loop cut off at max_steps", { iterations = 50, max_steps = 60 }, function()
  local a = ls.atomics.new(1)
  ls.spawn(function() ls.atomics.put(a, 1, 1) end)
  while ls.atomics.get(a, 1) == 0 do end
end)

-- A liveness monitor under pct, which is never fair.
ls.test("a monitor under pct", { strategy = "pct", iterations = 20 }, function()
  ls.liveness("never hot", function() return false end)
  local me = ls.self()
  ls.spawn(function() ls.send(me, 1) end)
  ls.receive()
end)

-- A retry on timeout that never runs: under quiescent timers the reply
-- always comes first.
ls.test("a retry that never runs", { iterations = 50 }, function()
  local me = ls.self()
  local server = ls.spawn(function()
    while true do
      local req = ls.receive()
      ls.send(req.from, "pong")
    end
  end)
  ls.send(server, { from = me })
  while not ls.receive(function(m) return m == "pong" end, 100) do
    ls.send(server, { from = me })  -- the retry
  end
end)
