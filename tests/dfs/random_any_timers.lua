-- Random small programs with timers that may fire at any time
-- (timers = "any") in every process, for checking dfs's reduction against
-- every interleaving (--dpor none) on the real runtime
-- (tests/scenarios/dfs_cli_test.cc): sends, receive timeouts (0, short,
-- long), selective receives, sleeps, and send_after with and without
-- cancel_timer, so that several processes wait on timers at once, a
-- send_after's message races with sends to the same mailbox, and a
-- cancel_timer races with the timer it disarms. Every receive has a
-- timeout, so no run deadlocks: each test passes in every schedule, and
-- the two searches must count the same classes.
local programs = require("timer_programs")

local g = programs.generator(7)
for n = 1, 40 do
  local workers = {}
  for w = 1, 2 do workers[w] = g.ops(1 + g.draw(2), w == 1) end
  local root_ops = g.ops(1 + g.draw(2), false)
  programs.test("random timers anywhere " .. n, "any", workers, root_ops)
end
