-- A timer that fires before it is due (ls.timers("any")) moves virtual
-- time on within a time epoch, so whatever reads the time (a timer armed,
-- ls.now) sees another value whether it runs before or after: the two
-- race. For checking dfs against every interleaving (--dpor none) on the
-- real runtime (tests/scenarios/dfs_cli_test.cc). Without the race dfs ran
-- one schedule of "a sleep armed beside an early timeout" where there are
-- three (the server's sleep is due at 50, 150 or 250 ms), and --dpor none's
-- own check found the two steps that did not commute.
local ls = lockstep

ls.test("a sleep armed beside an early timeout", function()
  local me = ls.self()
  local server = ls.spawn(function()
    local from = ls.receive()
    ls.sleep(50)
    ls.send(from, ls.now())
  end)
  ls.timers("any")  -- the root's timeouts may fire at any step
  ls.send(server, me)
  ls.receive(function(m) return m == "never" end, 100)
  ls.receive(function(m) return m == "never" end, 100)
  ls.receive()  -- when the server woke: 50, 200 or 250 ms
end)

ls.test("the time read beside an early timeout", function()
  local me = ls.self()
  ls.spawn(function() ls.send(me, ls.now()) end)
  ls.timers("any")
  ls.receive(function(m) return m == "never" end, 100)
  local seen = ls.receive()
  assert(seen == 0 or seen == 100)
end)
