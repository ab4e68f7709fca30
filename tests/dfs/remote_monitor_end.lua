-- A process on node b monitors one on node a, then both end. Whichever
-- ends first decides whether a DOWN is sent (in flight to node b, an event
-- of its own): the watcher's end takes its monitor away. So the two ends
-- race, and dfs counts what running every interleaving counts.
local ls = lockstep

ls.test("two ends across nodes race through a monitor", function()
  ls.cluster.start_nodes({ "a", "b" })
  local target = ls.spawn_on("a", function() ls.receive(function() return true end, 0) end)
  ls.spawn_on("b", function() ls.monitor(target) end)
end)
