-- A partition that breaks a monitor across its cut reads what either end
-- would find (both processes' links objects), as each end does when it
-- takes the monitor away.
local ls = lockstep

-- It used to read the target's process, which the target's own steps
-- write. Then the partition and the root's own monitor call raced when
-- the watcher (on node "a") had not ended yet and not when it had, and
-- dfs counted 21 classes where every interleaving counts 24; now both
-- count 19. (From tests/dfs/fuzz, nodes template, seed 7.)
ls.test("a partition breaks a monitor of the root", function()
  ls.cluster.start_nodes({ "a", "b" })
  local peers = { false, false, ls.self() }
  peers[2] = ls.spawn_on("b", function() ls.receive(); ls.send(peers[3], 22) end)
  peers[1] = ls.spawn_on("a", function() ls.monitor(peers[3]); ls.monitor(peers[3]) end)
  ls.spawn(function() ls.cluster.isolate("a", { mode = "drop" }) end)
  ls.monitor(peers[2])
end)

-- Reading only the target's links, the partition raced with the
-- watcher's end when the end came first (the end took the monitor away,
-- reading whether the nodes reach each other) and not when it came
-- second (the partition had taken it: the end reads nothing of the
-- cut). So the partition before the watcher's end was an order no race
-- led to, and dfs counted 13 classes where every interleaving counts 15.
ls.test("a partition breaks a monitor whose watcher ends", function()
  ls.cluster.start_nodes({ "a", "b" })
  local root = ls.self()
  local local_worker = ls.spawn(function() end)
  ls.spawn_on("a", function() ls.monitor(root) end)
  ls.spawn(function() ls.cluster.isolate("a", { mode = "drop" }) end)
  ls.monitor(local_worker)
end)
