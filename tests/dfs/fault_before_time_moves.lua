-- A heal that runs after time moved on could have run before, had a step
-- that commutes with it been left for last (the system offers faults only
-- beside another event): for checking dfs against every interleaving
-- (--dpor none) on the real runtime (tests/scenarios/dfs_cli_test.cc).
-- Worker "b" only sends to itself and ends; the search runs it first, so
-- once the partition holds worker "a"'s message nothing else can run,
-- time moves on, and only then does the heal come. The classes where "b"
-- ends after the heal, the message delivered and taken before time moves
-- on, were missed (80 of 84, and 90 of 91 in the second test).
local ls = lockstep

ls.test("a heal before time moves on", { faults = { partition = 1 } }, function()
  ls.cluster.start_nodes({ "a", "b" })
  local root = ls.self()
  ls.spawn_on("b", function() ls.send(ls.self(), "x") end)
  ls.spawn_on("a", function() ls.send(root, "y"); ls.receive(nil, 6) end)
  ls.receive(nil, 23)
  ls.cluster.faults(false)
end)

ls.test("a heal before a timeout", { faults = { partition = 1 } }, function()
  ls.cluster.start_nodes({ "a", "b" })
  local table = ls.ets.new("t", { access = "public" })
  local root = ls.self()
  ls.spawn_on("b", function() ls.send(root, "y") end)
  ls.spawn_on("a", function() ls.ets.lookup(table, "j"); ls.receive(nil, 6) end)
  ls.receive(function(m) return m == "x" end, 23)
end)
