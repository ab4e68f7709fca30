-- Goals (ls.sometimes, ls.reachable, ls.unreachable), one test per way a
-- goal is met or not; tests/scenarios/goals_cli_test.cc runs them.
local ls = lockstep

-- Two workers increment a cell without a lock: some schedules lose an
-- update. The goal is met in some iterations, not in others.
ls.test("a lost update is sometimes seen", { strategy = "random", iterations = 200 }, function()
  local a = ls.atomics.new(1)
  for _ = 1, 2 do
    ls.spawn(function()
      local v = ls.atomics.get(a, 1)
      ls.atomics.put(a, 1, v + 1)
    end)
  end
  ls.sleep(10)
  ls.sometimes("lost update", ls.atomics.get(a, 1) == 1)
end)

-- The client's retry is the point of the test, but under quiescent
-- timers its timeout never fires: the goal is never met.
ls.test("the client retries", { iterations = 100 }, function()
  local me = ls.self()
  local server = ls.spawn(function()
    while true do
      local req = ls.receive()
      ls.send(req.from, "pong")
    end
  end)
  ls.send(server, { from = me })
  while not ls.receive(function(m) return m == "pong" end, 100) do
    ls.reachable("retry")
    ls.send(server, { from = me })
  end
end)

-- Goals in an invariant and in a liveness monitor count the same.
ls.test("goals in an invariant and a monitor", { strategy = "fair_pct", iterations = 100 }, function()
  local a = ls.atomics.new(1)
  ls.invariant("counts", function()
    ls.sometimes("two writes seen by the invariant", ls.atomics.get(a, 1) == 2)
    return true
  end)
  ls.liveness("watch", function()
    ls.reachable("the monitor ran")
    return false
  end)
  for _ = 1, 2 do ls.spawn(function() ls.atomics.add(a, 1, 1) end) end
  ls.sleep(10)
end)

-- Meeting an unreachable goal is a bug with a trace.
ls.test("the second writer never sees the first", { strategy = "random", iterations = 200 }, function()
  local a = ls.atomics.new(1)
  for _ = 1, 2 do
    ls.spawn(function()
      local v = ls.atomics.get(a, 1)
      ls.atomics.put(a, 1, v + 1)
      if v == 1 then ls.unreachable("the second writer saw the first") end
    end)
  end
  ls.sleep(10)
end)
