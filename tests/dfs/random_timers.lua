-- Random small programs with timers, for checking dfs's reduction against
-- every interleaving (--dpor none) on the real runtime
-- (tests/scenarios/dfs_cli_test.cc): receive timeouts (0, short, long),
-- sleeps, send_after with and without cancel_timer, selective receives,
-- under timers = "quiescent"; under timers = "any", sends, polls and the
-- root's receives with timeouts, so that one process at a time waits on a
-- timer (tests/dfs/random_any_timers.lua has several waiting at once).
-- Every receive has a timeout, so no run deadlocks: each test passes in
-- every schedule, and the two searches must count the same classes.
local programs = require("timer_programs")

local g = programs.generator(1)
for n = 1, 60 do
  local mode = g.draw(2) == 0 and "any" or "quiescent"
  local workers = {}
  for w = 1, 2 do workers[w] = g.ops(1 + g.draw(3), w == 1, mode == "any", mode == "any") end
  local root_ops = g.ops(1 + g.draw(2), false, mode == "any")
  programs.test("random timers " .. n, mode, workers, root_ops)
end
