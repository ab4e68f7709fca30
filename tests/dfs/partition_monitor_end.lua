-- A process on node a monitors one on node b and ends; a partition cuts a
-- from b. Had the partition come first it would have sent the watcher a
-- DOWN (noconnection); had the watcher ended first the partition finds no
-- monitor to break. So the watcher's end reads whether a reaches b, and
-- races with the partition: split into parts, dfs counts what it counts
-- whole (before, the parts missed the run where the partition fires the
-- DOWN after the target has taken its message).
local ls = lockstep

ls.test("a partition races with the end of a monitor across it", function()
  ls.cluster.start_nodes({ "a", "b" })
  local target = ls.spawn_on("b", function() ls.receive() end)
  ls.spawn_on("b", function()
    ls.send(target, 2)
    ls.send(target, 2)
  end)
  ls.spawn_on("a", function() ls.monitor(target) end)
  ls.spawn(function() ls.cluster.partition({ "a" }, { "b" }) end)
end)
