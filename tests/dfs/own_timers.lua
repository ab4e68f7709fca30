-- Under timers = "any" every wait races, the test's own too. ls.timers lets
-- a process take its own waits out of the race; the others' still race.
local ls = lockstep

local function worker(root)
  -- Its own timeout races with the root's "go" (timers = "any").
  local go = ls.receive(function(m) return m == "go" end, 10)
  ls.send(root, go and "went" or "gave up")
end

ls.test("the root's wait races too", { timers = "any" }, function()
  local w = ls.spawn(worker, ls.self())
  ls.send(w, "go")
  assert(ls.receive(nil, 1000), "the root's own wait timed out")
end)

ls.test("the root's wait is quiescent", { timers = "any" }, function()
  ls.timers("quiescent")
  local w = ls.spawn(worker, ls.self())
  ls.send(w, "go")
  assert(ls.receive(nil, 1000), "the root's own wait timed out")
end)
