-- A fault beside the timeout of a receive the root waits in: for checking
-- dfs against every interleaving (--dpor none) on the real runtime
-- (tests/scenarios/dfs_cli_test.cc). Where nothing but that timeout can
-- run, the search fires it first and a crash or restart is a branch
-- beside it; the root cannot end before its mailbox is written (a reply,
-- the timeout, its own end), so a fault that commutes with the timeout
-- adds no class there (dfs.cc, "Faults placed late"), and the runs that
-- injected it first ended with only the timeout to run, asleep.
local ls = lockstep

local function server()
  while true do
    local m = ls.receive()
    ls.send(m.from, m.n)
  end
end

local function client(attempts, timeout)
  ls.cluster.start_nodes({ "s" }, { boot = function() ls.register("srv", ls.spawn(server)) end })
  for n = 1, attempts do
    ls.send({ "srv", "s" }, { from = ls.self(), n = n })
    if ls.receive(function(m) return m == n end, timeout) then return end
  end
end

ls.test("a crash beside the root's timeout", { faults = { crash = 1 } }, function() client(1, 10) end)

ls.test("a partition beside the root's timeout", { faults = { partition = 1 } }, function() client(2, 10) end)
