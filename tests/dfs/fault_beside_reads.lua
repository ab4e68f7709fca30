-- Small programs where a fault the search places sits beside steps that
-- commute with it (table reads and writes, a process's start), for
-- checking dfs against every interleaving (--dpor none) on the real runtime
-- (tests/scenarios/dfs_cli_test.cc). A fault offered at a state is a branch
-- of its own there, explored after the step a run left alone takes; that
-- step sleeps below the fault, and a reversal it could start was taken
-- for one it covers, though the races that lead there from it had not
-- been added below the fault. The search missed 5 of the 80 classes of
-- the first test, and 2 of the 48 of the second.
local ls = lockstep

ls.test("a partition beside reads and a write on two nodes", { faults = { partition = 1 } }, function()
  ls.cluster.start_nodes({ "a", "b" })
  local table = ls.ets.new("t", { access = "public" })
  ls.spawn_on("b", function() ls.ets.lookup(table, "k") end)
  ls.spawn_on("a", function() ls.ets.insert(table, { "k", 1 }) end)
  ls.ets.lookup(table, "k")
end)

ls.test("a partition beside reads and a write on one node", { faults = { partition = 1 } }, function()
  ls.cluster.start_nodes({ "a" })
  local table = ls.ets.new("t", { access = "public" })
  ls.spawn_on("a", function() ls.ets.lookup(table, "k") end)
  ls.spawn_on("a", function() ls.ets.insert(table, { "k", 1 }) end)
  ls.ets.lookup(table, "k")
end)

ls.test("a crash beside reads and a write", { faults = { crash = 1 } }, function()
  ls.cluster.start_nodes({ "a", "b" })
  local table = ls.ets.new("t", { access = "public" })
  ls.spawn_on("b", function() ls.ets.lookup(table, "k") end)
  ls.spawn_on("a", function() ls.ets.insert(table, { "k", 1 }) end)
  ls.ets.lookup(table, "k")
end)

ls.test("a partition beside a message and a timeout", { faults = { partition = 1 } }, function()
  ls.cluster.start_nodes({ "a" })
  local root = ls.self()
  ls.spawn_on("a", function() ls.send(root, "x") end)
  ls.receive(function(m) return m == "x" end, 8)
  ls.cluster.faults(false)
end)
