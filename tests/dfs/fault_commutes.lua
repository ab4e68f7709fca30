-- A fault that commutes with the event a run takes first at a state adds
-- no class there (dfs.cc, "Faults placed late"): for checking dfs against
-- every interleaving (--dpor none) on the real runtime
-- (tests/scenarios/dfs_cli_test.cc), and that the search gives up few
-- runs. Workers on two nodes write rows of their own and send one message
-- across the network, under a budget of one partition (or crash). While
-- every fault was a branch at every state, a run that injected one before
-- a worker's row, which it commutes with, left that row's write asleep
-- with nothing else to run, and gave up.
local ls = lockstep

local function workers(rows)
  ls.cluster.start_nodes({ "a", "b" })
  local table = ls.ets.new("t", { access = "public" })
  local root = ls.self()
  local b = ls.spawn_on("b", function()
    for i = 1, rows do ls.ets.insert(table, { "b" .. i, i }) end
    ls.receive(nil, 5)
  end)
  ls.spawn_on("a", function()
    for i = 1, rows do ls.ets.insert(table, { "a" .. i, i }) end
    ls.send(b, "hello")
  end)
  ls.receive(nil, 20)
  ls.send(root, "done")
end

ls.test("a partition beside rows of its own", { faults = { partition = 1 } }, function() workers(2) end)

ls.test("a crash beside rows of its own", { faults = { crash = 1 } }, function() workers(2) end)
