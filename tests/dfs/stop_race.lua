-- A process starts a worker on node "a" and then stops the node. Run
-- first, the worker sends to the root before the stop (and its message may
-- arrive before the stop drops it); stopped first, it never runs. The stop
-- takes the worker's step away rather than racing with a step of it, so
-- dfs must branch there: it counts what running every interleaving counts.
local ls = lockstep

ls.test("a node's stop races with the steps it takes away", function()
  ls.cluster.start_nodes({ "a" })
  local root = ls.self()
  ls.spawn(function()
    ls.spawn_on("a", function() ls.send(root, "hi") end)
    ls.cluster.stop_node("a")
  end)
  ls.sleep(10)
end)
