-- A partition that breaks a monitor across its cut reads what the
-- target's end would find (its links object), as the watcher's end does
-- when it takes the monitor away; it used to read the target's process,
-- which the target's own steps write. Then the partition and the root's
-- own monitor call raced when the watcher (on node "a") had not ended yet
-- and not when it had, and dfs counted 21 classes where every
-- interleaving counts 24; now both count 19. (From tests/dfs/fuzz, nodes
-- template, seed 7.)
local ls = lockstep

ls.test("a partition breaks a monitor of the root", function()
  ls.cluster.start_nodes({ "a", "b" })
  local peers = { false, false, ls.self() }
  peers[2] = ls.spawn_on("b", function() ls.receive(); ls.send(peers[3], 22) end)
  peers[1] = ls.spawn_on("a", function() ls.monitor(peers[3]); ls.monitor(peers[3]) end)
  ls.spawn(function() ls.cluster.isolate("a", { mode = "drop" }) end)
  ls.monitor(peers[2])
end)
