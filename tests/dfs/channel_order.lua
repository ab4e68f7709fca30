-- Messages between two processes on different nodes form a channel and
-- arrive in the order sent: the second can be delivered only once the
-- first has been. The receiver takes the first "x" to come, from a
-- process on its own node or the first of two from another node. dfs
-- counts what running every interleaving counts (2); before, a reversal
-- that moved the local send before the first delivery took the second
-- delivery along, could not run, and the run where the local "x" is taken
-- was missed.
local ls = lockstep

ls.test("the second message of a channel follows the first", function()
  ls.cluster.start_nodes({ "a" })
  local r = ls.spawn_on("a", function()
    ls.receive(function(m) return m == "x" end)
  end)
  ls.spawn(function() ls.send(r, "x"); ls.send(r, "y") end)     -- from another node: in flight
  ls.spawn_on("a", function() ls.send(r, "x") end)             -- from r's own node
end)
