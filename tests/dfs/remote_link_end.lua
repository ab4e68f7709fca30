-- Two processes on nodes a and b, linked, both trapping exits, both end.
-- Whichever ends first sends the other an exit signal in flight (an event
-- of its own) and takes itself off the other's links. So the two ends
-- race, and dfs counts what running every interleaving counts.
local ls = lockstep

ls.test("two ends across nodes race through a link", function()
  ls.cluster.start_nodes({ "a", "b" })
  local other = ls.spawn_on("a", function() ls.trap_exit(true) ls.receive(function() return true end, 0) end)
  ls.spawn_on("b", function() ls.trap_exit(true) ls.link(other) end)
end)
