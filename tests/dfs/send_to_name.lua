-- A send to a name writes the mailbox of whoever holds the name when the
-- send runs, not when it was posted: a client whose first step posts the
-- send before the worker registers, and runs it after, wrote the name
-- (a send to nobody) in its footprint, so whether the client started
-- before or after the register changed what its send depended on, and
-- --dpor none's own check found the two steps that did not commute
-- (scenarios/supervisor_restart.lua). For checking dfs against every
-- interleaving (tests/scenarios/dfs_cli_test.cc).
local ls = lockstep

ls.test("a send posted before the name is registered", { allow_crashes = true }, function()
  local worker = ls.spawn(function()
    ls.register("worker", ls.self())
    ls.receive()
    ls.receive()
  end)
  ls.spawn(function()
    ls.send("worker", 1)  -- raises when nobody holds the name yet
    ls.send("worker", 2)
  end)
  ls.monitor(worker)
  ls.sleep(10)
  if ls.whereis("worker") then ls.send(worker, 0); ls.send(worker, 0) end
end)
